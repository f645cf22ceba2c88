using System.Text.RegularExpressions;
using AngleSharp.Dom;
using Newsletter.Comparisons;

namespace Newsletter.Templates.Tests;

[Collection(TemplateCollection.Name)]
public sealed class EditionEmailTests(TemplateFixture f)
{
    private async Task<(RenderedEmail Email, IDocument Doc)> RenderAsync(IReadOnlyList<Comparison>? comparisons = null)
    {
        var email = await f.Emails.RenderEditionAsync(f.Edition(comparisons));
        return (email, TemplateFixture.Parse(email.Html));
    }

    [Fact]
    public async Task Edition_shows_every_comparison_and_tool_with_verdict_split_and_price()
    {
        var (email, doc) = await RenderAsync();
        var headings = doc.QuerySelectorAll("h2").Select(h => h.TextContent.Trim()).ToList();
        var h3 = doc.QuerySelectorAll("h3").ToList();
        foreach (var c in f.Samples)
        {
            Assert.Contains(c.Title, headings);
            foreach (var t in c.Tools)
            {
                var card = h3.Single(h => h.TextContent.Trim() == t.Name && h.ParentElement!.TextContent.Contains(t.EntryPrice!, StringComparison.Ordinal)).ParentElement!;
                var text = card.TextContent;
                Assert.Contains(t.PanelVerdict == Verdict.Ship ? "Ship" : "Skip", text, StringComparison.Ordinal);
                Assert.Contains($"{t.PanelShipVotes} ship / {t.PanelSkipVotes} skip", text, StringComparison.Ordinal);
                Assert.Contains($"{t.PanelShipPercent}% panel ship", text, StringComparison.Ordinal);
                Assert.Contains(t.PricingDetail!, text, StringComparison.Ordinal);
                Assert.Contains(t.Tagline!, text, StringComparison.Ordinal);
                Assert.Contains(t.Category!, text, StringComparison.Ordinal);
                Assert.Contains(t.CommunityVotes is null ? "No community votes yet" : $"{t.CommunityVotes:N0} votes", text, StringComparison.Ordinal);

                Assert.Contains(t.Name, email.Text, StringComparison.Ordinal);
                Assert.Contains(t.PricingDetail!.Split(' ')[0], email.Text, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task Edition_scorecard_has_a_cell_per_persona_and_tool_and_leaves_missing_scores_blank()
    {
        var (_, doc) = await RenderAsync();
        var tables = doc.QuerySelectorAll("table").Where(t => t.Children.FirstOrDefault(ch => ch.LocalName == "caption")?.TextContent.Contains("scorecard", StringComparison.OrdinalIgnoreCase) == true).ToList();
        Assert.Equal(f.Samples.Count, tables.Count);
        for (var i = 0; i < f.Samples.Count; i++)
        {
            var c = f.Samples[i];
            var rows = tables[i].Children.Single(ch => ch.LocalName == "tbody").Children.ToList();
            Assert.Equal(c.Reviewers.Count, rows.Count);
            for (var r = 0; r < rows.Count; r++)
            {
                Assert.Equal(c.Reviewers[r].Persona, rows[r].QuerySelector("th")!.TextContent.Trim());
                var cells = rows[r].QuerySelectorAll("td").Select(td => td.TextContent.Trim()).ToList();
                Assert.Equal(c.Tools.Count, cells.Count);
                for (var k = 0; k < cells.Count; k++)
                {
                    var take = c.Reviewers[r].Takes[k];
                    var expected = string.Join(" · ", new[] { take.Score?.ToString(System.Globalization.CultureInfo.InvariantCulture), take.Verdict is null ? null : take.Verdict == Verdict.Ship ? "Ship" : "Skip" }.Where(x => x is not null));
                    Assert.Equal(expected, cells[k]);
                }
            }
        }
    }

    [Fact]
    public async Task Every_link_in_the_edition_is_absolute_https_except_the_unsubscribe_slot()
    {
        var (_, doc) = await RenderAsync();
        var hrefs = doc.QuerySelectorAll("a").Select(a => a.GetAttribute("href")).ToList();
        Assert.NotEmpty(hrefs);
        Assert.All(hrefs, h => Assert.True(h == TemplateFixture.Markers.UnsubscribeUrl || (h is not null && h.StartsWith("https://", StringComparison.Ordinal)), $"bad href {h}"));
        Assert.Contains(TemplateFixture.Markers.UnsubscribeUrl, hrefs);
    }

    [Fact]
    public async Task Edition_html_is_email_safe_no_script_no_external_css_no_images_and_declares_colour_schemes()
    {
        var (email, doc) = await RenderAsync();
        Assert.Empty(doc.QuerySelectorAll("script"));
        Assert.Empty(doc.QuerySelectorAll("link"));
        Assert.Empty(doc.QuerySelectorAll("img"));
        Assert.Empty(doc.QuerySelectorAll("iframe, form, object, embed"));
        Assert.DoesNotContain("@import", email.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("url(", email.Html, StringComparison.Ordinal);
        Assert.Equal("en", doc.DocumentElement.GetAttribute("lang"));
        Assert.Equal("light dark", doc.QuerySelector("meta[name=color-scheme]")?.GetAttribute("content"));
        Assert.Equal("light dark", doc.QuerySelector("meta[name=supported-color-schemes]")?.GetAttribute("content"));
        Assert.NotNull(doc.QuerySelector("table[style*='max-width:600px']"));
        Assert.StartsWith("<!DOCTYPE html>", email.Html.TrimStart(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Edition_layout_uses_inline_styles_on_every_visible_text_block()
    {
        var (_, doc) = await RenderAsync();
        foreach (var el in doc.Body!.QuerySelectorAll("p, h1, h2, h3, a, span"))
        {
            Assert.False(string.IsNullOrWhiteSpace(el.GetAttribute("style")), $"<{el.LocalName}> without inline style: {el.OuterHtml[..Math.Min(120, el.OuterHtml.Length)]}");
        }
    }

    [Fact]
    public async Task Edition_has_a_hidden_preheader_first_in_the_body()
    {
        var (email, doc) = await RenderAsync();
        var first = doc.Body!.Children[0];
        Assert.Contains("display:none", first.GetAttribute("style"), StringComparison.Ordinal);
        Assert.StartsWith(email.Preheader, first.TextContent, StringComparison.Ordinal);
        Assert.Contains("Codestral 2: Ship", email.Preheader, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unsubscribe_and_email_slots_appear_verbatim_in_html_and_text()
    {
        var (email, doc) = await RenderAsync();
        var unsubscribe = doc.QuerySelectorAll("a").Single(a => a.TextContent.Trim() == "Unsubscribe");
        Assert.Equal(TemplateFixture.Markers.UnsubscribeUrl, unsubscribe.GetAttribute("href"));
        Assert.Contains(TemplateFixture.Markers.UnsubscribeUrl, email.Html, StringComparison.Ordinal);
        Assert.Contains(TemplateFixture.Markers.Email, email.Html, StringComparison.Ordinal);
        Assert.Contains("Unsubscribe: " + TemplateFixture.Markers.UnsubscribeUrl, email.Text, StringComparison.Ordinal);
        Assert.Contains(TemplateFixture.Markers.Email, email.Text, StringComparison.Ordinal);
        Assert.Contains($"You're receiving this because {TemplateFixture.Markers.Email} subscribed to Weekly AI Tool Verdicts", doc.Body!.TextContent, StringComparison.Ordinal);
        Assert.Contains(TemplateFixture.Site.PostalAddress, doc.Body!.TextContent, StringComparison.Ordinal);
        Assert.Contains(TemplateFixture.Site.PostalAddress, email.Text, StringComparison.Ordinal);
        Assert.Contains(doc.QuerySelectorAll("a"), a => a.TextContent.Trim() == "View in browser" && a.GetAttribute("href") == "https://news.example.com/editions/42");
    }

    [Fact]
    public async Task Read_more_buttons_link_to_the_comparison_with_utm_parameters()
    {
        var (email, doc) = await RenderAsync();
        var buttons = doc.QuerySelectorAll("a").Where(a => a.TextContent.Contains("Read the full comparison", StringComparison.Ordinal)).ToList();
        Assert.Equal(f.Samples.Count, buttons.Count);
        for (var i = 0; i < buttons.Count; i++)
        {
            var expected = f.Samples[i].Url + "?utm_source=newsletter&utm_medium=email&utm_campaign=edition-42";
            Assert.Equal(expected, buttons[i].GetAttribute("href"));
            Assert.Contains(expected, email.Text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Comparison_url_falls_back_to_the_slug_and_keeps_existing_query_and_fragment()
    {
        var c = TemplateFixture.Minimal();
        Assert.Equal("https://aitoolverdicts.example/compare/alpha-vs-beta?utm_source=newsletter&utm_medium=email&utm_campaign=edition-7",
                     ComparisonView.ComparisonUrl(c, TemplateFixture.Site, 7));
        Assert.Equal("https://x.example/c?a=1&utm_source=newsletter&utm_medium=email&utm_campaign=edition-7#top",
                     ComparisonView.ComparisonUrl(c with { Url = "https://x.example/c?a=1#top" }, TemplateFixture.Site, 7));
        Assert.StartsWith("https://aitoolverdicts.example/compare/", ComparisonView.ComparisonUrl(c with { Url = "javascript:alert(1)" }, TemplateFixture.Site, 7), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hostile_fields_come_out_escaped_in_html_and_unchanged_in_text()
    {
        const string evilName = "<script>alert(1)</script>";
        const string evilQuote = "\"><img src=x onerror=alert(1)>";
        var c = TemplateFixture.Minimal(evilName + " vs Beta",
            TemplateFixture.Reviewer("Skeptic<b>", (10, Verdict.Skip, evilQuote), (90, Verdict.Ship, "fine")));
        c = c with
        {
            Summary = "<iframe src=//evil>",
            Category = "<style>body{display:none}</style>",
            Tools = [c.Tools[0] with { Name = evilName, Tagline = "<a href=javascript:x>x</a>", PricingDetail = "\" onmouseover=\"x" }, c.Tools[1]],
        };
        var (email, doc) = await RenderAsync([c]);
        Assert.Empty(doc.QuerySelectorAll("script, img, iframe, b"));
        Assert.Single(doc.QuerySelectorAll("style")); // the template's own head <style> only
        Assert.DoesNotContain(doc.All, e => e.Attributes.Any(a => a.Name.StartsWith("on", StringComparison.OrdinalIgnoreCase)));
        Assert.DoesNotContain(doc.QuerySelectorAll("a"), a => a.GetAttribute("href")!.StartsWith("javascript", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(evilName, doc.QuerySelector("h3")!.TextContent, StringComparison.Ordinal);
        Assert.Contains(evilQuote, doc.Body!.TextContent, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", email.Html, StringComparison.Ordinal);
        Assert.Contains(evilName, email.Text, StringComparison.Ordinal);
        Assert.Contains(evilName, email.Subject, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_comparison_shows_exactly_one_highlight_quote_at_most_280_characters()
    {
        var (email, doc) = await RenderAsync();
        var quotes = doc.QuerySelectorAll("td.e-quote").ToList();
        Assert.Equal(f.Samples.Count, quotes.Count);
        for (var i = 0; i < quotes.Count; i++)
        {
            var expected = HighlightQuote.Choose(f.Samples[i])!;
            var text = quotes[i].QuerySelector("p")!.TextContent.Trim().Trim('“', '”');
            Assert.Equal(expected.Text, text);
            Assert.True(text.Length <= 280, $"{text.Length} chars");
            Assert.Contains($"The {expected.Persona} on {expected.ToolName}", quotes[i].TextContent, StringComparison.Ordinal);
        }

        Assert.Contains(quotes, q => q.TextContent.Contains('…', StringComparison.Ordinal));
        Assert.Contains("…”", email.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plain_text_is_written_for_reading_wrapped_at_72_columns_with_urls_on_their_own_lines()
    {
        var (email, _) = await RenderAsync();
        Assert.DoesNotContain("<", email.Text.Replace("<script>", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("&amp;", email.Text, StringComparison.Ordinal);
        foreach (var line in email.Text.Split('\n'))
        {
            Assert.True(line.Length <= 72 || Regex.IsMatch(line, @"https://\S+$"), $"long line: {line}");
        }

        Assert.Contains("CODESTRAL 2 VS MISTRAL 8X24B", email.Text.ToUpperInvariant(), StringComparison.Ordinal);
        Assert.Contains("Codestral 2: SHIP (3 ship / 1 skip, 75% panel ship)", email.Text, StringComparison.Ordinal);
        Assert.Contains("EchoScribe Pro: SKIP (2 ship / 2 skip, 50% panel ship)", email.Text, StringComparison.Ordinal);
        Assert.Matches(@"Skeptic\s+61 · Skip\s+79 · Ship", email.Text);
    }

    [Fact]
    public async Task Web_version_has_no_personal_slot_and_no_unsubscribe_wording()
    {
        var email = await f.Emails.RenderEditionWebAsync(TemplateFixture.Site, 42, TemplateFixture.EditionDate, f.Samples, "https://news.example.com/editions/42");
        Assert.DoesNotContain("{{{", email.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("You're receiving this", email.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("View in browser", email.Html, StringComparison.Ordinal);
        Assert.Contains("web version", email.Text, StringComparison.Ordinal);
        var doc = TemplateFixture.Parse(email.Html);
        Assert.All(doc.QuerySelectorAll("a"), a => Assert.StartsWith("https://", a.GetAttribute("href"), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Edition_with_missing_values_renders_without_placeholders()
    {
        var c = new Comparison
        {
            Slug = "x-vs-y",
            Title = "X vs Y",
            PublishedAt = TemplateFixture.EditionDate,
            Tools = [new Tool { Name = "X" }, new Tool { Name = "Y" }],
            Reviewers = [new Reviewer { Persona = "Builder", Takes = [new ReviewerTake(), new ReviewerTake()] }],
        };
        var (email, doc) = await RenderAsync([c]);
        Assert.Contains("No verdict", doc.Body!.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("null", email.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("% panel ship", email.Text, StringComparison.Ordinal);
        Assert.Empty(doc.QuerySelectorAll("td.e-quote"));
    }

    [Fact]
    public async Task Razor_encoder_leaves_marker_strings_intact_in_text_and_attributes()
    {
        var markers = new PersonalSlots("{{{a1_b2.unsubscribe_url}}}", "{{{a1_b2.email}}}");
        var email = await f.Emails.RenderEditionAsync(f.Edition() with { Personal = markers });
        Assert.Contains("href=\"{{{a1_b2.unsubscribe_url}}}\"", email.Html, StringComparison.Ordinal);
        Assert.Contains(" {{{a1_b2.email}}} subscribed", email.Html, StringComparison.Ordinal);
    }
}

[Collection(TemplateCollection.Name)]
public sealed class EditionSizeTests(TemplateFixture f)
{
    [Fact]
    public async Task Edition_html_stays_under_gmail_clipping_limit_even_with_many_comparisons()
    {
        var many = Enumerable.Range(0, 15).Select(i => f.Samples[i % f.Samples.Count] with { Slug = $"s{i}", Title = $"Tool {i} vs Other {i}", Url = null }).ToList();
        var six = await f.Emails.RenderEditionAsync(f.Edition());
        var fifteen = await f.Emails.RenderEditionAsync(f.Edition(many));
        Assert.InRange(System.Text.Encoding.UTF8.GetByteCount(six.Html), 1, 102_000);
        Assert.InRange(System.Text.Encoding.UTF8.GetByteCount(fifteen.Html), 1, 102_000);

        var doc = TemplateFixture.Parse(fifteen.Html);
        Assert.Equal(EditionView.MaxFullComparisons, doc.QuerySelectorAll("h2").Length);
        foreach (var c in many)
        {
            var url = $"https://aitoolverdicts.example/compare/{c.Slug}?utm_source=newsletter&utm_medium=email&utm_campaign=edition-42";
            Assert.Contains(doc.QuerySelectorAll("a"), a => a.GetAttribute("href") == url && a.TextContent == c.Title);
            Assert.Contains(url, fifteen.Text, StringComparison.Ordinal);
        }

        Assert.Contains(doc.QuerySelectorAll("a"), a => a.GetAttribute("href") == TemplateFixture.Markers.UnsubscribeUrl);
        Assert.Contains("Tool 0 vs Other 0 + 14 more verdicts", fifteen.Subject, StringComparison.Ordinal);
    }
}
