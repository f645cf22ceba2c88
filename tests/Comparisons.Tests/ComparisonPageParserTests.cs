using Newsletter.Comparisons;

namespace Newsletter.Comparisons.Tests;

public class ComparisonPageParserTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 9, 30, 0, TimeSpan.Zero);
    private static readonly PageDefaults Defaults = new() { ComparisonBaseUrl = "https://tools.example/", Now = Now };

    private static string Fixture(string name) => ComparisonTestData.Fixture(name);

    [Fact]
    public void The_decision_table_layout_yields_both_tools_with_verdicts_splits_prices_and_community_votes()
    {
        var c = ComparisonPageParser.Parse(Fixture("layout-a-decision-table.txt"), Defaults);

        Assert.Equal("Loomcraft Agent 3 vs Parsec Notebook (Team)", c.Title);
        Assert.Equal("loomcraft-agent-3-vs-parsec-notebook-team", c.Slug);
        Assert.Equal("https://tools.example/compare/loomcraft-agent-3-vs-parsec-notebook-team", c.Url);
        Assert.Equal(Now, c.PublishedAt);
        Assert.Equal("Coding Agents", c.Category);
        Assert.StartsWith("Which one should you ship with?", c.Summary);

        var (a, b) = (c.Tools[0], c.Tools[1]);
        Assert.Equal("Loomcraft Agent 3", a.Name);
        Assert.Equal("Coding Agents", a.Category);
        Assert.Equal("Terminal agent that plans, edits and tests a repo for you", a.Tagline);
        Assert.Equal(Verdict.Ship, a.PanelVerdict);
        Assert.Equal((4, 0, 100), (a.PanelShipVotes, a.PanelSkipVotes, a.PanelShipPercent));
        Assert.Equal(128, a.CommunityVotes);
        Assert.Null(a.CommunityShipPercent);
        Assert.Equal("Free", a.EntryPrice);
        Assert.Equal("Free (MIT licence) / bring your own model key", a.PricingDetail);
        Assert.Equal("Loomcraft Agent 3 runs in your terminal, reads the repository, proposes a plan and applies edits in small reviewed steps. It ships with a <b>sandbox</b> & a test runner hook.", a.Description);

        Assert.Equal("Parsec Notebook (Team)", b.Name);
        Assert.Equal(Verdict.Skip, b.PanelVerdict);
        Assert.Equal((2, 2, 50), (b.PanelShipVotes, b.PanelSkipVotes, b.PanelShipPercent));
        Assert.Null(b.CommunityVotes);
        Assert.Equal(62, b.CommunityShipPercent);
        Assert.Equal("Paid", b.EntryPrice);
        Assert.Equal("$24 per seat per month / annual billing only", b.PricingDetail);
        Assert.Equal("Parsec Notebook is a hosted notebook with an assistant that writes cells. The team plan adds shared kernels and comments.", b.Description);
    }

    [Fact]
    public void The_decision_table_layout_scorecard_gives_each_persona_a_score_verdict_and_quote_per_tool()
    {
        var c = ComparisonPageParser.Parse(Fixture("layout-a-decision-table.txt"), Defaults);

        Assert.Equal(["Builder", "Skeptic", "Futurist", "Founder"], c.Reviewers.Select(r => r.Persona));
        Assert.All(c.Reviewers, r => Assert.Equal(2, r.Takes.Count));
        var builder = c.Reviewers[0];
        Assert.Equal(91, builder.Takes[0].Score);
        Assert.Equal(Verdict.Ship, builder.Takes[0].Verdict);
        Assert.Equal("It does the boring part well: reads the repo, writes a plan you can veto, and runs the tests before claiming victory.", builder.Takes[0].Quote);
        Assert.Equal((64, Verdict.Skip), (builder.Takes[1].Score, builder.Takes[1].Verdict));
        Assert.Equal([79, 71], c.Reviewers[3].Takes.Select(t => t.Score!.Value));
        Assert.Equal("A seat-based business with a clear buyer: the analytics lead with a budget.", c.Reviewers[3].Takes[1].Quote);
    }

    [Fact]
    public void The_page_title_layout_with_windows_line_endings_ignores_the_trailing_title_and_chrome()
    {
        var text = Fixture("layout-b-page-title-crlf.txt");
        Assert.Contains("\r\n", text);

        var c = ComparisonPageParser.Parse(text, Defaults);

        Assert.Equal("Quarry Search vs Lanternfish 2", c.Title);
        Assert.Equal(["Quarry Search", "Lanternfish 2"], c.Tools.Select(t => t.Name));
        Assert.Equal((Verdict.Ship, 3, 1, 75), (c.Tools[0].PanelVerdict, c.Tools[0].PanelShipVotes, c.Tools[0].PanelSkipVotes, c.Tools[0].PanelShipPercent));
        Assert.Equal("Freemium", c.Tools[0].EntryPrice);
        Assert.Null(c.Tools[0].CommunityVotes);
        Assert.Null(c.Tools[0].CommunityShipPercent);
        Assert.Equal("$30 per month", c.Tools[1].PricingDetail);
        Assert.Equal("Lanternfish 2 browses for several minutes and writes a sourced report.", c.Tools[1].Description);
        Assert.Equal(4, c.Reviewers.Count);
        Assert.Equal((45, Verdict.Skip), (c.Reviewers[1].Takes[0].Score, c.Reviewers[1].Takes[0].Verdict));
        Assert.Equal("People already pay for this kind of time saving.", c.Reviewers[3].Takes[1].Quote);
        Assert.DoesNotContain(c.Reviewers.SelectMany(r => r.Takes), t => t.Quote!.Contains("Which AI Tool", StringComparison.Ordinal));
        Assert.DoesNotContain(c.Reviewers.SelectMany(r => r.Takes), t => t.Quote!.Contains('\r', StringComparison.Ordinal));
    }

    [Fact]
    public void The_bare_quotes_layout_pairs_quotes_per_tool_in_order_as_numbered_reviewers_without_scores()
    {
        var c = ComparisonPageParser.Parse(Fixture("layout-c-bare-quotes.txt"), Defaults);

        Assert.Equal(["Murmur Voice", "Stanza Dictate"], c.Tools.Select(t => t.Name));
        Assert.Equal("Productivity", c.Category);
        Assert.Equal(["Productivity", "Productivity"], c.Tools.Select(t => t.Category));
        Assert.Equal("On-device dictation that never uploads audio", c.Tools[0].Tagline);
        // No Ship label and no split on this layout: those stay null, only the percentage is shown.
        Assert.Null(c.Tools[0].PanelVerdict);
        Assert.Null(c.Tools[0].PanelShipVotes);
        Assert.Equal([100, 25], c.Tools.Select(t => t.PanelShipPercent!.Value));
        Assert.All(c.Tools, t => Assert.Null(t.CommunityVotes));
        Assert.Equal(["Free", "Paid"], c.Tools.Select(t => t.EntryPrice));
        Assert.Null(c.Tools[0].PricingDetail);
        Assert.Equal("Stanza Dictate records, transcribes and summarises meetings in the cloud.", c.Tools[1].Description);

        Assert.Equal(["Reviewer 1", "Reviewer 2", "Reviewer 3", "Reviewer 4"], c.Reviewers.Select(r => r.Persona));
        Assert.All(c.Reviewers.SelectMany(r => r.Takes), t => Assert.Null(t.Score));
        Assert.All(c.Reviewers.SelectMany(r => r.Takes), t => Assert.Null(t.Verdict));
        Assert.Equal("Works offline and the latency is low enough to forget it is there.", c.Reviewers[0].Takes[0].Quote);
        Assert.Equal("The summaries are tidy but the editor fights you when you correct a word.", c.Reviewers[0].Takes[1].Quote);
        Assert.Equal("A clear subscription buyer, but a crowded market.", c.Reviewers[3].Takes[1].Quote);
    }

    [Fact]
    public void Extra_blank_lines_a_missing_table_unquoted_quotes_and_reviewers_without_scores_are_read()
    {
        var c = ComparisonPageParser.Parse(Fixture("variant-blank-lines-no-table.txt"), Defaults);

        Assert.Equal("Which one should you ship with?", c.Summary);
        var (a, b) = (c.Tools[0], c.Tools[1]);
        Assert.Equal("Image Generation", a.Category);
        Assert.Null(a.Tagline);
        Assert.Equal((Verdict.Skip, 40), (a.PanelVerdict, a.PanelShipPercent));
        Assert.Null(a.PanelShipVotes);
        Assert.Equal("Brushstroke XL is an open image model with a web playground.\nIt renders text in images poorly.", a.Description);
        Assert.Null(b.Category);
        Assert.Null(c.Category);
        Assert.Equal("Hosted image editor with generative fill", b.Tagline);
        Assert.Equal((Verdict.Ship, 90, 12), (b.PanelVerdict, b.PanelShipPercent, b.CommunityVotes));
        Assert.Null(b.Description);

        Assert.Equal(["Builder", "Skeptic", "Operator"], c.Reviewers.Select(r => r.Persona));
        Assert.Equal("Setup is a single container, but prompts need heavy tuning.", c.Reviewers[0].Takes[0].Quote);
        Assert.Equal("Generative fill is fast and the undo history is excellent.", c.Reviewers[0].Takes[1].Quote);
        Assert.Null(c.Reviewers[0].Takes[0].Score);
        Assert.Equal("'Skip' is the honest call until the licence is clarified.", c.Reviewers[1].Takes[0].Quote);
        Assert.Equal("Expensive, yet it replaces two tools.", c.Reviewers[1].Takes[1].Quote);
        Assert.Equal((60, (Verdict?)null, "Runs on one GPU, barely."), (c.Reviewers[2].Takes[0].Score, c.Reviewers[2].Takes[0].Verdict, c.Reviewers[2].Takes[0].Quote));
        Assert.Equal((95, Verdict.Ship, "Zero ops."), (c.Reviewers[2].Takes[1].Score, c.Reviewers[2].Takes[1].Verdict, c.Reviewers[2].Takes[1].Quote));
    }

    [Fact]
    public void Values_given_by_the_caller_win_over_derived_ones()
    {
        var published = new DateTimeOffset(2026, 1, 5, 8, 0, 0, TimeSpan.Zero);
        var c = ComparisonPageParser.Parse(Fixture("layout-c-bare-quotes.txt"),
            Defaults with { Slug = "murmur-vs-stanza", PublishedAt = published, Url = "https://elsewhere.example/x" });

        Assert.Equal(("murmur-vs-stanza", published, "https://elsewhere.example/x"), (c.Slug, c.PublishedAt, c.Url));
    }

    [Fact]
    public void Without_a_base_url_the_url_stays_null()
    {
        var c = ComparisonPageParser.Parse(Fixture("layout-c-bare-quotes.txt"), new PageDefaults { Now = Now });

        Assert.Null(c.Url);
    }

    [Fact]
    public void Slugs_are_derived_from_both_tool_names()
    {
        Assert.Equal("code-llama-4-70b-400b-vs-mistral-3-small-22b", ComparisonSlug.FromToolNames("Code Llama 4 (70B & 400B)", "Mistral 3 Small (22B)"));
        Assert.Equal("cafe-ai-vs-x-2", ComparisonSlug.FromToolNames("Café  AI!", "--X 2--"));
    }

    [Fact]
    public void A_page_without_a_title_is_rejected_naming_the_line()
    {
        var e = Assert.Throws<ComparisonFormatException>(() => ComparisonPageParser.Parse("\n\nAI tool comparison\nJust some words\n", Defaults));

        Assert.Equal(4, e.Line);
        Assert.Contains("line 4", e.Message, StringComparison.Ordinal);
        Assert.Contains("'Tool A vs Tool B'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_page_without_the_second_tool_card_is_rejected_naming_the_first_card()
    {
        var text = "AI tool comparison\nAlpha vs Beta\nAlpha\nA tagline\n80%\nPanel ship\n";

        var e = Assert.Throws<ComparisonFormatException>(() => ComparisonPageParser.Parse(text, Defaults));

        Assert.Equal(3, e.Line);
        Assert.Contains("'Beta'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unreadable_percentage_is_rejected_naming_its_line()
    {
        var text = "Alpha vs Beta\nAlpha\nmost of them\nPanel ship\nBeta\n";

        var e = Assert.Throws<ComparisonFormatException>(() => ComparisonPageParser.Parse(text, Defaults));

        Assert.Equal(3, e.Line);
        Assert.Contains("panel ship percentage of 'Alpha'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_reviewer_with_one_take_for_two_tools_is_rejected_naming_the_reviewer_line()
    {
        var text = "Alpha vs Beta\nAlpha\nBeta\nReviewer scorecard\nBuilder\n80/100 · ship\nFine.\nSkeptic\nNope.\nAlso nope.\n";

        var e = Assert.Throws<ComparisonFormatException>(() => ComparisonPageParser.Parse(text, Defaults));

        Assert.Equal(5, e.Line);
        Assert.Contains("'Builder'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_odd_number_of_anonymous_quotes_cannot_be_paired_and_is_rejected()
    {
        var text = "Alpha vs Beta\nAlpha\nBeta\nReviewer scorecard\n“One.”\n“Two.”\n“Three.”\n";

        var e = Assert.Throws<ComparisonFormatException>(() => ComparisonPageParser.Parse(text, Defaults));

        Assert.Equal(4, e.Line);
        Assert.Contains("found 3 takes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_minimal_page_keeps_every_missing_value_null()
    {
        var c = ComparisonPageParser.Parse("Alpha vs Beta\r\nAlpha\r\nBeta\r\n", Defaults);

        Assert.Equal(["Alpha", "Beta"], c.Tools.Select(t => t.Name));
        Assert.All(c.Tools, t => Assert.Equal(new Tool { Name = t.Name }, t));
        Assert.Empty(c.Reviewers);
        Assert.Null(c.Summary);
        Assert.Null(c.Category);
    }

    [Fact]
    public void Markup_in_the_text_is_kept_verbatim()
    {
        var text = "Alpha vs Beta\nAlpha\n<script>alert(1)</script> &amp; more\nBeta\nReviewer scorecard\nBuilder\n\"<img src=x onerror=alert(2)>\"\nok\n";

        var c = ComparisonPageParser.Parse(text, Defaults);

        Assert.Equal("<script>alert(1)</script> &amp; more", c.Tools[0].Tagline);
        Assert.Equal("<img src=x onerror=alert(2)>", c.Reviewers[0].Takes[0].Quote);
    }

    [Fact]
    public void Short_quotes_after_a_score_line_are_quotes_and_extra_paragraphs_join_the_scored_quote()
    {
        var text = "Alpha vs Beta\nAlpha\nBeta\nReviewer scorecard\nBuilder\n80/100 · ship\nSolid Pick\n70/100 · skip\nNot for me.\n"
                 + "Data Steward\n60/100 · ship\nFirst paragraph.\nSecond paragraph.\n50/100 · skip\nOnly one.\n";

        var c = ComparisonPageParser.Parse(text, Defaults);

        Assert.Equal(["Builder", "Data Steward"], c.Reviewers.Select(r => r.Persona));
        Assert.Equal(["Solid Pick", "Not for me."], c.Reviewers[0].Takes.Select(t => t.Quote));
        Assert.Equal("First paragraph.\n\nSecond paragraph.", c.Reviewers[1].Takes[0].Quote);
        Assert.Equal((50, Verdict.Skip, "Only one."), (c.Reviewers[1].Takes[1].Score, c.Reviewers[1].Takes[1].Verdict, c.Reviewers[1].Takes[1].Quote));
    }

    [Fact]
    public void A_missing_tool_card_is_not_taken_from_the_decision_table_heads()
    {
        var text = "Alpha vs Beta\nAlpha\nA tagline\nDecision\nAlpha\nBeta\nPricing\nFree\nPaid\n";

        var e = Assert.Throws<ComparisonFormatException>(() => ComparisonPageParser.Parse(text, Defaults));

        Assert.Equal(4, e.Line);
        Assert.Contains("tool card of 'Beta'", e.Message, StringComparison.Ordinal);
    }
}
