using Newsletter.Comparisons;

namespace Newsletter.Comparisons.Tests;

/// <summary>
/// The real pages in <c>../shared/seeds</c> (present on CI and on the team's machines, never copied into the
/// repository). On CI (the <c>CI</c> variable set) a missing or empty folder fails both tests: they would
/// otherwise check nothing. Elsewhere they read whatever pages are there.
/// </summary>
public class SeedPageTests
{
    private static readonly PageDefaults Defaults = new()
    {
        ComparisonBaseUrl = "https://tools.example",
        Now = new DateTimeOffset(2026, 3, 2, 9, 30, 0, TimeSpan.Zero),
    };

    private static IReadOnlyList<string> SeedFiles()
    {
        var files = ComparisonTestData.SeedFiles();
        if (files.Count == 0 && !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")))
            Assert.Fail($"no seed pages (*.txt) in {ComparisonTestData.SeedFolder()}; CI must provide ../shared/seeds beside the checkout");
        return files;
    }

    [Fact]
    public void Every_seed_page_parses_into_a_valid_comparison_with_the_values_shown_on_the_page()
    {
        var files = SeedFiles();

        var checkedTitles = new List<string>();
        foreach (var file in files)
        {
            var c = ComparisonPageParser.Parse(File.ReadAllText(file), Defaults);
            Assert.Empty(ComparisonValidator.Validate(c));

            // Every seed so far compares Code Llama 4 with a Mistral model, all Developer Tools, free, no community votes.
            var (llama, other) = (c.Tools[0], c.Tools[1]);
            Assert.Equal("Code Llama 4 (70B & 400B)", llama.Name);
            Assert.StartsWith("Mistral ", other.Name, StringComparison.Ordinal);
            Assert.Equal($"{llama.Name} vs {other.Name}", c.Title);
            Assert.Equal("Developer Tools", c.Category);
            Assert.All(c.Tools, t => Assert.Equal("Developer Tools", t.Category));
            Assert.All(c.Tools, t => Assert.Equal(100, t.PanelShipPercent));
            Assert.All(c.Tools, t => Assert.Equal("Free", t.EntryPrice));
            Assert.All(c.Tools, t => Assert.Null(t.CommunityVotes));
            Assert.All(c.Tools, t => Assert.False(string.IsNullOrWhiteSpace(t.Tagline)));
            Assert.All(c.Tools, t => Assert.True(t.Description!.Length > 100));
            Assert.Equal(4, c.Reviewers.Count);
            Assert.All(c.Reviewers.SelectMany(r => r.Takes), t => Assert.True(t.Quote!.Length > 200));
            Assert.All(c.Reviewers.SelectMany(r => r.Takes), t => Assert.DoesNotContain("Weekly AI Tool Verdicts", t.Quote, StringComparison.Ordinal));
            Assert.StartsWith("The primitive", c.Reviewers[0].Takes[0].Quote, StringComparison.Ordinal);

            switch (other.Name)
            {
                case "Mistral 8x22B Instruct v2":
                case "Mistral 3 Small (22B)":
                    // Layouts with a Decision table and named, scored reviewers.
                    Assert.All(c.Tools, t => Assert.Equal((Verdict.Ship, 4, 0), (t.PanelVerdict!.Value, t.PanelShipVotes!.Value, t.PanelSkipVotes!.Value)));
                    Assert.Equal("Free (open weights, self-hosted) / Inference costs vary by provider", llama.PricingDetail);
                    Assert.Equal(["Builder", "Skeptic", "Futurist", "Founder"], c.Reviewers.Select(r => r.Persona));
                    Assert.Equal((85, Verdict.Ship), (c.Reviewers[0].Takes[0].Score, c.Reviewers[0].Takes[0].Verdict));
                    Assert.Equal([85, 78, 82, 74], c.Reviewers.Select(r => r.Takes[0].Score!.Value));
                    Assert.All(c.Reviewers.SelectMany(r => r.Takes), t => Assert.Equal(Verdict.Ship, t.Verdict));
                    if (other.Name == "Mistral 3 Small (22B)")
                    {
                        Assert.Equal("code-llama-4-70b-400b-vs-mistral-3-small-22b", c.Slug);
                        Assert.Equal([85, 78, 82, 72], c.Reviewers.Select(r => r.Takes[1].Score!.Value));
                        Assert.Equal("Free (Apache 2.0 open weights on Hugging Face)", other.PricingDetail);
                    }
                    else
                    {
                        Assert.Equal([88, 82, 85, 72], c.Reviewers.Select(r => r.Takes[1].Score!.Value));
                    }
                    break;
                case "Mistral 4B Edge":
                    // No Ship label, no split, no Decision table, anonymous unscored quotes.
                    Assert.All(c.Tools, t => Assert.Null(t.PanelVerdict));
                    Assert.All(c.Tools, t => Assert.Null(t.PanelShipVotes));
                    Assert.All(c.Tools, t => Assert.Null(t.PricingDetail));
                    Assert.Equal(["Reviewer 1", "Reviewer 2", "Reviewer 3", "Reviewer 4"], c.Reviewers.Select(r => r.Persona));
                    Assert.All(c.Reviewers.SelectMany(r => r.Takes), t => Assert.Null(t.Score));
                    Assert.All(c.Reviewers.SelectMany(r => r.Takes), t => Assert.False(t.Quote!.StartsWith('“')));
                    break;
                default:
                    Assert.Fail($"a new seed page ({Path.GetFileName(file)}: {c.Title}); add its values here");
                    break;
            }
            checkedTitles.Add(c.Title);
        }
        Assert.Equal(files.Count, checkedTitles.Distinct().Count());
    }

    [Fact]
    public void Every_seed_page_reads_the_same_with_windows_line_endings_extra_blank_lines_or_none_and_indentation()
    {
        var files = SeedFiles();
        foreach (var file in files)
        {
            var text = File.ReadAllText(file);
            var expected = Json(ComparisonPageParser.Parse(text, Defaults));
            var lines = text.ReplaceLineEndings("\n").Split('\n');

            var crlf = string.Join("\r\n", lines);
            var airy = string.Join("\n\n\n", lines);
            var dense = string.Join("\n", lines.Where(l => l.Trim().Length > 0));
            var indented = string.Join("\n", lines.Select(l => "  " + l + " \t"));

            Assert.Equal(expected, Json(ComparisonPageParser.Parse(crlf, Defaults)));
            Assert.Equal(expected, Json(ComparisonPageParser.Parse(airy, Defaults)));
            Assert.Equal(expected, Json(ComparisonPageParser.Parse(dense, Defaults)));
            Assert.Equal(expected, Json(ComparisonPageParser.Parse(indented, Defaults)));
        }
        Assert.Equal(files.Count, files.Distinct().Count());
    }

    private static string Json(Comparison c) => System.Text.Json.JsonSerializer.Serialize(c, ComparisonJson.Options);
}
