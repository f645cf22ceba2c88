namespace Newsletter.Comparisons;

/// <summary>
/// Reads a comparison page as the site renders it to text (copy-paste or a text dump of the page) into a
/// <see cref="Comparison"/>. The site has shipped several layouts; this reader anchors on the title
/// ("A vs B") and on the two tool names instead of on fixed line positions:
/// <code>
/// [Compare/A vs B]                 breadcrumb, ignored
/// [AI tool comparison]             ignored
/// A vs B                           title (required)
/// [lead sentence]                  → summary
/// [C]                              avatar letter, ignored
/// [Developer Tools]                → tool category
/// A                                tool card (required, one per tool)
/// [best-for line]                  → tagline
/// [Ship|Skip]                      → panel verdict
/// [75%] Panel ship                 value/label pairs; a label without a value means "none"
/// [128 votes | 62% | — ] Community
/// [Free] Entry
/// [description paragraph(s)]
/// [Decision table]                 rows "Panel verdict", "Community", "Pricing", "Best for", "Category",
///                                  two values each; fills what the cards left empty (pricing detail, split)
/// [Reviewer scorecard]             see <see cref="ScorecardReader"/>
/// [site chrome]                    "Weekly AI Tool Verdicts" and everything after it, bookmark panel lines,
///                                  the trailing page-title line: ignored
/// </code>
/// Blank lines, surrounding whitespace and Windows/Mac line endings are insignificant. Nothing is invented:
/// a value the page does not show stays null (e.g. layout 002 has no Ship label and no split, so the panel
/// verdict and split stay null although its ship percentage is 100%). Markup in the text is kept verbatim.
/// </summary>
public static class ComparisonPageParser
{
    /// <summary>Personas the site uses today, in its order. Other names are accepted when a score line follows them.</summary>
    public static IReadOnlyList<string> StandardPersonas { get; } = ["Builder", "Skeptic", "Futurist", "Founder"];

    /// <summary>Parses page text; see the type's remarks for the layouts read and <see cref="PageDefaults"/> for derived values.</summary>
    /// <exception cref="ComparisonFormatException">the text lacks a title or a tool card, or a value is unreadable; names the line.</exception>
    public static Comparison Parse(string text, PageDefaults defaults)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(defaults);
        var lines = PageLines.Read(text);
        if (lines.Count == 0) throw new ComparisonFormatException("the page is empty; expected a title like 'Tool A vs Tool B'", 1);

        var (titleIndex, title) = PageHeaderReader.ReadTitle(lines);
        lines = PageHeaderReader.WithoutChrome(lines, titleIndex, title);

        // The two tool names: the " vs " split whose both halves appear as lines of their own (tool cards).
        string nameA = "", nameB = "";
        int indexA = -1, indexB = -1;
        foreach (var (a, b) in PageHeaderReader.VsSplits(title))
        {
            var ia = PageLines.IndexOf(lines, a, titleIndex + 1, lines.Count);
            if (ia < 0) continue;
            var ib = PageLines.IndexOf(lines, b, ia + 1, lines.Count);
            if (ib < 0) continue;
            (nameA, nameB, indexA, indexB) = (a, b, ia, ib);
            break;
        }
        if (indexA < 0)
        {
            var (a, b) = PageHeaderReader.VsSplits(title).First();
            var ia = PageLines.IndexOf(lines, a, titleIndex + 1, lines.Count);
            throw ia < 0
                ? new ComparisonFormatException($"expected a tool card starting with the line '{a}' after the title", lines[titleIndex].Number)
                : new ComparisonFormatException($"expected a tool card starting with the line '{b}' after the card of '{a}'", lines[ia].Number);
        }

        // The Decision table repeats both names as column heads: a name found only there means a card is missing.
        var firstSection = new[]
        {
            PageLines.IndexOf(lines, "Decision", titleIndex + 1, indexB, StringComparison.OrdinalIgnoreCase),
            PageLines.IndexOf(lines, "Reviewer scorecard", titleIndex + 1, indexB, StringComparison.OrdinalIgnoreCase),
        }.Where(x => x >= 0).DefaultIfEmpty(-1).Min();
        if (firstSection >= 0)
        {
            var missing = firstSection < indexA ? nameA : nameB;
            throw new ComparisonFormatException($"expected the tool card of '{missing}' before the '{lines[firstSection].Text}' section", lines[firstSection].Number);
        }

        var decisionIndex = PageLines.IndexOf(lines, "Decision", indexB + 1, lines.Count, StringComparison.OrdinalIgnoreCase);
        var scorecardIndex = PageLines.IndexOf(lines, "Reviewer scorecard", indexB + 1, lines.Count, StringComparison.OrdinalIgnoreCase);
        if (decisionIndex > scorecardIndex && scorecardIndex >= 0) decisionIndex = -1; // a quote that says "Decision"
        var cardBEnd = new[] { decisionIndex, scorecardIndex, lines.Count }.Where(x => x >= 0).Min();

        var table = decisionIndex >= 0
            ? DecisionTableReader.Read(lines, decisionIndex, scorecardIndex >= 0 ? scorecardIndex : lines.Count, nameA, nameB)
            : new DecisionTable();

        // Lines between the title and card A: lead sentence, avatar letter, category of A.
        var before = lines.Skip(titleIndex + 1).Take(indexA - titleIndex - 1).ToList();
        var categoryA = ToolCardReader.TakeCategory(before, nameA, table.Categories[0]);
        var summary = before.Count > 0 ? string.Join("\n", before.Select(l => l.Text)) : null;

        // Card A runs up to card B; its tail is A's description, then B's avatar letter and category.
        var cardA = lines.Skip(indexA).Take(indexB - indexA).ToList();
        var (toolA, restA) = ToolCardReader.Read(cardA);
        var categoryB = ToolCardReader.TakeCategory(restA, nameB, table.Categories[1]);
        toolA = toolA with { Category = categoryA, Description = PageLines.JoinOrNull(restA) };

        var cardB = lines.Skip(indexB).Take(cardBEnd - indexB).ToList();
        var (toolB, restB) = ToolCardReader.Read(cardB);
        toolB = toolB with { Category = categoryB, Description = PageLines.JoinOrNull(restB) };

        var tools = new[] { table.Fill(toolA, 0), table.Fill(toolB, 1) };

        var reviewers = scorecardIndex >= 0
            ? ScorecardReader.Read(lines.Skip(scorecardIndex + 1).ToList(), tools.Length, lines[scorecardIndex].Number)
            : [];

        var slug = string.IsNullOrWhiteSpace(defaults.Slug) ? ComparisonSlug.FromToolNames(nameA, nameB) : defaults.Slug.Trim();
        var url = !string.IsNullOrWhiteSpace(defaults.Url)
            ? defaults.Url.Trim()
            : string.IsNullOrWhiteSpace(defaults.ComparisonBaseUrl) ? null : DeriveUrl(defaults.ComparisonBaseUrl, slug);

        return new Comparison
        {
            Slug = slug,
            Title = title,
            Url = url,
            PublishedAt = defaults.PublishedAt ?? defaults.Now ?? DateTimeOffset.UtcNow,
            Category = SharedCategory(tools[0].Category, tools[1].Category),
            Summary = summary,
            Tools = tools,
            Reviewers = reviewers,
        };
    }

    /// <summary><c>{base}/compare/{slug}</c>, the site's comparison address.</summary>
    public static string DeriveUrl(string comparisonBaseUrl, string slug) => comparisonBaseUrl.TrimEnd('/') + "/compare/" + slug;

    /// <summary>The comparison's category is the tools' shared one; when they differ or one is unknown it stays null.</summary>
    private static string? SharedCategory(string? a, string? b) =>
        a is not null && string.Equals(a, b, StringComparison.OrdinalIgnoreCase) ? a : null;
}
