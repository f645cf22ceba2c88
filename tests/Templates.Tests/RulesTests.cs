using Newsletter.Comparisons;
using static Newsletter.Templates.Tests.TemplateFixture;

namespace Newsletter.Templates.Tests;

[Collection(TemplateCollection.Name)]
public sealed class RulesTests(TemplateFixture f)
{
    [Fact]
    public void Highlight_prefers_the_reviewer_whose_verdicts_differ_over_a_bigger_score_gap()
    {
        var c = Minimal("A vs B",
            Reviewer("Builder", (95, Verdict.Ship, "b1"), (40, Verdict.Ship, "b2")),
            Reviewer("Skeptic", (60, Verdict.Skip, "s1"), (62, Verdict.Ship, "s2")));
        var q = HighlightQuote.Choose(c)!;
        Assert.Equal("Skeptic", q.Persona);
        Assert.Equal("s1", q.Text); // the lower-rated (skip) take
        Assert.Equal("Alpha", q.ToolName);
    }

    [Fact]
    public void Highlight_uses_the_largest_score_gap_when_no_verdicts_differ_and_quotes_the_lower_score()
    {
        var c = Minimal("A vs B",
            Reviewer("Builder", (80, Verdict.Ship, "b1"), (75, Verdict.Ship, "b2")),
            Reviewer("Futurist", (70, Verdict.Ship, "f1"), (90, Verdict.Ship, "f2")));
        var q = HighlightQuote.Choose(c)!;
        Assert.Equal(("Futurist", "f1"), (q.Persona, q.Text));
    }

    [Fact]
    public void Highlight_ties_go_to_the_first_reviewer_in_page_order_and_its_first_quoted_take()
    {
        var c = Minimal("A vs B",
            Reviewer("Builder", (null, null, "first"), (null, null, "second")),
            Reviewer("Skeptic", (null, null, "third"), (null, null, "fourth")));
        var q = HighlightQuote.Choose(c)!;
        Assert.Equal(("Builder", "first", "Alpha"), (q.Persona, q.Text, q.ToolName));
    }

    [Fact]
    public void Highlight_skips_reviewers_without_quotes_and_falls_back_to_the_other_take()
    {
        var c = Minimal("A vs B",
            Reviewer("Builder", (10, Verdict.Skip, null), (90, Verdict.Ship, null)),
            Reviewer("Skeptic", (20, Verdict.Skip, null), (90, Verdict.Ship, "only the ship take has words")));
        var q = HighlightQuote.Choose(c)!;
        Assert.Equal(("Skeptic", "only the ship take has words", "Beta"), (q.Persona, q.Text, q.ToolName));
        Assert.Null(HighlightQuote.Choose(Minimal("A vs B", Reviewer("Builder", (1, null, null), (2, null, " ")))));
    }

    [Fact]
    public void Highlight_on_the_samples_follows_the_rule()
    {
        var codestral = f.Samples.Single(c => c.Slug.StartsWith("codestral", StringComparison.Ordinal));
        var q = HighlightQuote.Choose(codestral)!;
        Assert.Equal(("Skeptic", "Codestral 2"), (q.Persona, q.ToolName)); // only reviewer with split verdicts
        Assert.True(q.Shortened);
        var pixel = f.Samples.Single(c => c.Slug.StartsWith("pixelforge", StringComparison.Ordinal)); // no scores
        var p = HighlightQuote.Choose(pixel)!;
        Assert.Equal(("Skeptic", "Pixelforge XL"), (p.Persona, p.ToolName)); // first reviewer with differing verdicts
    }

    [Theory]
    [InlineData(280)]
    [InlineData(120)]
    [InlineData(40)]
    public void Shortening_cuts_at_a_word_boundary_and_adds_an_ellipsis(int max)
    {
        foreach (var quote in f.Samples.SelectMany(c => c.Reviewers).SelectMany(r => r.Takes).Select(t => t.Quote).OfType<string>())
        {
            var normalized = TextTools.NormalizeSpace(quote);
            var s = TextTools.Shorten(quote, max);
            Assert.True(s.Length <= max, $"{s.Length} > {max}");
            if (normalized.Length <= max)
            {
                Assert.Equal(normalized, s);
                continue;
            }

            Assert.EndsWith("…", s, StringComparison.Ordinal);
            var body = s[..^1];
            Assert.StartsWith(body, normalized, StringComparison.Ordinal);
            Assert.Equal(' ', normalized[body.Length..].TrimStart(',', ';', ':', '—', '–', '-', '(', '/', '·')[0]); // next char was a space: no word cut
            Assert.False(char.IsWhiteSpace(body[^1]));
        }
    }

    [Fact]
    public void Shortening_leaves_short_text_alone_and_hard_cuts_only_a_single_giant_word()
    {
        Assert.Equal("short and sweet", TextTools.Shorten("  short \n and   sweet ", 280));
        var giant = new string('x', 400);
        Assert.Equal(280, TextTools.Shorten(giant, 280).Length);
    }

    [Fact]
    public void Subject_names_the_first_comparison_and_counts_the_rest()
    {
        Assert.Equal("Codestral 2 vs Mistral 8x24B + 5 more verdicts", EmailRenderer.EditionSubject(f.Samples));
        Assert.Equal("Codestral 2 vs Mistral 8x24B + 1 more verdict", EmailRenderer.EditionSubject(f.Samples.Take(2).ToList()));
        Assert.Equal("Codestral 2 vs Mistral 8x24B: the panel's verdict", EmailRenderer.EditionSubject(f.Samples.Take(1).ToList()));
        Assert.False(string.IsNullOrWhiteSpace(EmailRenderer.EditionSubject([])));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(12)]
    public void Subject_is_at_most_78_characters_and_never_cut_mid_word(int count)
    {
        const string longTitle = "Supercalifragilistic Enterprise Knowledge Assistant Platform Ultra Edition vs Another Extraordinarily Verbose Competitor Name";
        var list = Enumerable.Range(0, count).Select(_ => Minimal(longTitle)).ToList();
        var subject = EmailRenderer.EditionSubject(list);
        Assert.True(subject.Length <= 78, subject);
        var shown = subject.Split('…')[0];
        Assert.StartsWith(shown, longTitle, StringComparison.Ordinal);
        Assert.Equal(' ', longTitle[shown.Length]);
        Assert.Contains("…", subject, StringComparison.Ordinal);
    }

    [Fact]
    public void Samples_cover_the_variety_the_templates_must_handle()
    {
        Assert.Equal(6, f.Samples.Count);
        var tools = f.Samples.SelectMany(c => c.Tools).ToList();
        Assert.Contains(tools, t => t.PanelVerdict == Verdict.Skip && t.PanelShipVotes == 2 && t.PanelSkipVotes == 2);
        Assert.Contains(tools, t => t.EntryPrice == "Paid");
        Assert.Contains(tools, t => t.CommunityVotes > 0);
        Assert.Contains(f.Samples, c => c.Reviewers.All(r => r.Takes.All(t => t.Score is null && t.Quote is not null)));
        Assert.Contains(f.Samples.SelectMany(c => c.Reviewers).SelectMany(r => r.Takes), t => t.Quote?.Length > 280);
        var anchor = new DateTimeOffset(2026, 11, 22, 23, 59, 59, TimeSpan.Zero);
        Assert.All(f.Samples, c => Assert.InRange(c.PublishedAt, anchor.AddDays(-7), anchor));
        Assert.All(f.Samples, c => Assert.Equal(2, c.Tools.Count));
        Assert.All(f.Samples.SelectMany(c => c.Reviewers), r => Assert.Equal(2, r.Takes.Count));
    }

    [Fact]
    public void Samples_round_trip_through_the_shared_json_shape()
    {
        foreach (var file in Directory.GetFiles(SampleComparisons.FindDirectory(AppContext.BaseDirectory), "*.json"))
        {
            var json = File.ReadAllText(file);
            var c = System.Text.Json.JsonSerializer.Deserialize<Comparison>(json, ComparisonJson.Options)!;
            var again = System.Text.Json.JsonSerializer.Serialize(c, ComparisonJson.Options);
            var back = System.Text.Json.JsonSerializer.Deserialize<Comparison>(again, ComparisonJson.Options)!;
            Assert.Equal(System.Text.Json.JsonSerializer.Serialize(back, ComparisonJson.Options), again);
            Assert.DoesNotContain("null", json, StringComparison.Ordinal);
        }
    }
}

public sealed class BottomLineTests
{
    private static ToolView Tool(string name, Verdict? v, int? pct) =>
        ToolView.Create(new Tool { Name = name, PanelVerdict = v, PanelShipPercent = pct });

    [Fact]
    public void Bottom_line_names_the_pick_when_verdicts_split()
    {
        Assert.Equal("Ship B, skip A.", ComparisonView.BottomLineOf([Tool("A", Verdict.Skip, 25), Tool("B", Verdict.Ship, 75)]));
        Assert.Equal("The panel would skip both.", ComparisonView.BottomLineOf([Tool("A", Verdict.Skip, 25), Tool("B", Verdict.Skip, 0)]));
        Assert.Equal("Both ship — B has the stronger panel (100% vs 75%).", ComparisonView.BottomLineOf([Tool("A", Verdict.Ship, 75), Tool("B", Verdict.Ship, 100)]));
        Assert.Equal("Both ship, with equal panel support.", ComparisonView.BottomLineOf([Tool("A", Verdict.Ship, 75), Tool("B", Verdict.Ship, 75)]));
        Assert.Null(ComparisonView.BottomLineOf([Tool("A", null, null), Tool("B", Verdict.Ship, 75)]));
    }
}
