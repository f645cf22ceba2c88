using Newsletter.TestSupport;

namespace Newsletter.Comparisons.Tests;

/// <summary>
/// Inputs shared by the comparison tests here and the API and import tests in Sender.Tests (which compile this
/// file and copy the fixtures by link): a valid comparison, the page-text fixtures and the seed pages.
/// </summary>
internal static class ComparisonTestData
{
    public static Comparison Sample(string slug = "alpha-vs-beta") => new()
    {
        Slug = slug,
        Title = "Alpha vs Beta",
        Url = "https://tools.example/compare/" + slug,
        PublishedAt = new DateTimeOffset(2026, 2, 1, 12, 0, 0, TimeSpan.Zero),
        Category = "Testing",
        Tools =
        [
            new Tool { Name = "Alpha", PanelVerdict = Verdict.Ship, PanelShipVotes = 3, PanelSkipVotes = 1, PanelShipPercent = 75, EntryPrice = "Free" },
            new Tool { Name = "Beta", PanelVerdict = Verdict.Skip, PanelShipPercent = 25, CommunityVotes = 128 },
        ],
        Reviewers =
        [
            new Reviewer { Persona = "Builder", Takes = [new ReviewerTake { Score = 80, Verdict = Verdict.Ship, Quote = "Good." }, new ReviewerTake { Quote = "Meh." }] },
        ],
    };

    /// <summary>A page-text fixture from <c>tests/Comparisons.Tests/Fixtures</c>.</summary>
    public static string Fixture(string name) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", name));

    /// <summary>
    /// The real pages in <c>../shared/seeds</c> (present on CI and on the team's machines, never copied into the
    /// repository), in name order; empty when the folder is absent.
    /// </summary>
    public static IReadOnlyList<string> SeedFiles()
    {
        var seeds = SeedFolder();
        return Directory.Exists(seeds)
            ? Directory.GetFiles(seeds, "*.txt").Order(StringComparer.Ordinal).ToList()
            : [];
    }

    /// <summary>Where the seed pages are expected: <c>../shared/seeds</c> beside the checkout.</summary>
    public static string SeedFolder() => Path.GetFullPath(Path.Combine(RepositoryRoot.Find(), "..", "shared", "seeds"));
}
