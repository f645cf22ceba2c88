using System.Text.RegularExpressions;

namespace Newsletter.Comparisons;

/// <summary>
/// The page's frame: the breadcrumb and kicker before the title, the title "A vs B" itself, and the site chrome
/// (footer, bookmark panel, the trailing page-title line) that is not part of the comparison.
/// </summary>
internal static partial class PageHeaderReader
{
    private const string SiteName = "Weekly AI Tool Verdicts";

    private static readonly HashSet<string> ChromeLines = new(StringComparer.OrdinalIgnoreCase)
    {
        SiteName,
        "Get the next comparison in your inbox",
        "New AI tools ship daily. We compare them before you waste an afternoon.",
        "Bookmarks",
        "Loading bookmarks...",
        "Loading bookmarks…",
        "No bookmarks yet",
        "Bookmark tools to save them for later",
    };

    /// <summary>The title line after the breadcrumb and kicker, or the breadcrumb's title when the page has no title line.</summary>
    /// <exception cref="ComparisonFormatException">no "A vs B" title.</exception>
    public static (int Index, string Title) ReadTitle(List<PageLine> lines)
    {
        var i = 0;
        string? breadcrumbTitle = null;
        while (i < lines.Count)
        {
            var t = lines[i].Text;
            if (t.StartsWith("Compare/", StringComparison.OrdinalIgnoreCase)) { breadcrumbTitle = t["Compare/".Length..].Trim(); i++; }
            else if (t.Equals("AI tool comparison", StringComparison.OrdinalIgnoreCase)) i++;
            else break;
        }
        if (i < lines.Count && VsSplits(lines[i].Text).Any()) return (i, lines[i].Text);
        if (breadcrumbTitle is not null && VsSplits(breadcrumbTitle).Any()) return (i - 1, breadcrumbTitle);
        throw new ComparisonFormatException("expected the title 'Tool A vs Tool B'", i < lines.Count ? lines[i].Number : lines[^1].Number);
    }

    /// <summary>
    /// The lines without the trailing site chrome: "Weekly AI Tool Verdicts" after the title starts the footer;
    /// the page-title line ("A vs B: Which AI Tool Should You Ship? — Ship or Skip") may follow or stand alone at the end.
    /// </summary>
    public static List<PageLine> WithoutChrome(List<PageLine> lines, int titleIndex, string title)
    {
        var end = lines.Count;
        for (var k = titleIndex + 1; k < lines.Count; k++)
        {
            if (lines[k].Text.Equals(SiteName, StringComparison.OrdinalIgnoreCase)) { end = k; break; }
        }
        return [.. lines.Take(end).Where((l, k) => k <= titleIndex || !(ChromeLines.Contains(l.Text) || l.Text.StartsWith(title + ":", StringComparison.Ordinal)))];
    }

    /// <summary>Every way to split the title at a " vs " into two non-empty tool names, left to right.</summary>
    public static IEnumerable<(string A, string B)> VsSplits(string title)
    {
        foreach (Match m in VsSeparator().Matches(title))
        {
            var a = title[..m.Index].Trim();
            var b = title[(m.Index + m.Length)..].Trim();
            if (a.Length > 0 && b.Length > 0) yield return (a, b);
        }
    }

    [GeneratedRegex(@"\s+(?:vs\.?|VS\.?|Vs\.?)\s+", RegexOptions.CultureInvariant)]
    private static partial Regex VsSeparator();
}
