using System.Globalization;
using Newsletter.Comparisons;

namespace Newsletter.Templates;

/// <summary>
/// The edition, pre-digested for the HTML and text templates: every label is computed here once so both
/// parts say exactly the same thing.
/// </summary>
public sealed record EditionView(
    string NewsletterName,
    long EditionId,
    string DateLabel,
    string Subject,
    string Preheader,
    string Intro,
    IReadOnlyList<ComparisonView> Comparisons)
{
    /// <summary>Maximum length of the highlight quote, ellipsis included.</summary>
    public const int QuoteMaxLength = 280;

    /// <summary>
    /// Comparisons shown in full; the rest appear only in "At a glance" (title link + verdicts). Keeps the HTML well under
    /// Gmail's ~102 KB clipping limit, which would otherwise hide the footer and its unsubscribe link.
    /// </summary>
    public const int MaxFullComparisons = 7;

    /// <summary>The comparisons rendered in full (the first <see cref="MaxFullComparisons"/>).</summary>
    public IReadOnlyList<ComparisonView> FullComparisons => Comparisons.Count <= MaxFullComparisons ? Comparisons : Comparisons.Take(MaxFullComparisons).ToList();

    /// <summary>How many comparisons are listed only in "At a glance".</summary>
    public int GlanceOnlyCount => Math.Max(0, Comparisons.Count - MaxFullComparisons);

    public static EditionView Create(EditionEmailModel model)
    {
        var comparisons = model.Comparisons.Select(c => ComparisonView.Create(c, model.Site, model.EditionId)).ToList();
        return new EditionView(
            model.Site.NewsletterName,
            model.EditionId,
            TextTools.LongDate(model.Date),
            EmailRenderer.EditionSubject(model.Comparisons),
            BuildPreheader(comparisons),
            comparisons.Count switch
            {
                0 => "No new comparisons this week — the panel is still testing.",
                1 => "One new comparison this week. Here's what the panel would ship.",
                _ => $"{Words(comparisons.Count)} new comparisons this week. Here's what the panel would ship.",
            },
            comparisons);
    }

    private static string Words(int n) => n switch
    {
        2 => "Two", 3 => "Three", 4 => "Four", 5 => "Five", 6 => "Six", 7 => "Seven", 8 => "Eight", 9 => "Nine", 10 => "Ten",
        _ => n.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>"Codestral 2: Ship · Mistral 8x24B: Skip — plus 5 more comparisons inside." capped at 150 characters.</summary>
    private static string BuildPreheader(IReadOnlyList<ComparisonView> comparisons)
    {
        if (comparisons.Count == 0)
        {
            return "No new comparisons this week.";
        }

        var first = comparisons[0];
        var verdicts = string.Join(" · ", first.Tools.Select(t => t.VerdictLabel is null ? t.Name : $"{t.Name}: {t.VerdictLabel}"));
        var rest = comparisons.Count switch
        {
            1 => " — the full panel split inside.",
            2 => " — plus 1 more comparison inside.",
            _ => $" — plus {comparisons.Count - 1} more comparisons inside.",
        };
        return TextTools.Shorten(verdicts + rest, 150);
    }
}

/// <summary>One comparison as shown in the edition.</summary>
/// <param name="Title">"A vs B".</param>
/// <param name="Url">Link to the full comparison, UTM parameters included.</param>
/// <param name="Eyebrow">Category and publication date, e.g. "Developer Tools · 20 Nov 2026".</param>
/// <param name="Summary">The page's lead sentence, if any.</param>
/// <param name="Tools">The two tools, in page order.</param>
/// <param name="Scorecard">Persona × tool; cells are blank where the page gave nothing.</param>
/// <param name="Highlight">The one quote the email shows, or null when no reviewer gave a quote.</param>
/// <param name="BottomLine">One-line call from the panel verdicts ("Ship A, skip B."), null when a verdict is missing.</param>
public sealed record ComparisonView(
    string Title,
    string Url,
    string Eyebrow,
    string? Summary,
    IReadOnlyList<ToolView> Tools,
    IReadOnlyList<ScoreRow> Scorecard,
    HighlightQuote? Highlight,
    string? BottomLine)
{
    public static ComparisonView Create(Comparison c, SiteInfo site, long editionId)
    {
        var tools = c.Tools.Select(ToolView.Create).ToList();
        var category = c.Category ?? c.Tools.Select(t => t.Category).FirstOrDefault(x => !string.IsNullOrWhiteSpace(x));
        var eyebrow = string.IsNullOrWhiteSpace(category)
            ? TextTools.ShortDate(c.PublishedAt)
            : $"{TextTools.NormalizeSpace(category)} · {TextTools.ShortDate(c.PublishedAt)}";
        var rows = c.Reviewers
            .Select(r => new ScoreRow(
                TextTools.NormalizeSpace(r.Persona),
                c.Tools.Select((_, i) => ScoreCell.Create(i < r.Takes.Count ? r.Takes[i] : null)).ToList()))
            .ToList();
        var summary = string.IsNullOrWhiteSpace(c.Summary) || IsBoilerplate(c.Summary) ? null : TextTools.NormalizeSpace(c.Summary);
        return new ComparisonView(
            TextTools.NormalizeSpace(c.Title),
            ComparisonUrl(c, site, editionId),
            eyebrow,
            summary,
            tools,
            rows,
            HighlightQuote.Choose(c),
            BottomLineOf(tools));
    }

    /// <summary>
    /// "Ship A, skip B." / "Both ship — B has the stronger panel (100% vs 75%)." / "Both ship, with equal panel support." /
    /// "The panel would skip both." Null unless exactly two tools both have a panel verdict.
    /// </summary>
    public static string? BottomLineOf(IReadOnlyList<ToolView> tools)
    {
        if (tools.Count != 2 || tools[0].Verdict is not { } a || tools[1].Verdict is not { } b)
        {
            return null;
        }

        if (a != b)
        {
            var (ship, skip) = a == Verdict.Ship ? (tools[0], tools[1]) : (tools[1], tools[0]);
            return $"Ship {ship.Name}, skip {skip.Name}.";
        }

        if (a == Verdict.Skip)
        {
            return "The panel would skip both.";
        }

        var pa = ShipPercent(tools[0]);
        var pb = ShipPercent(tools[1]);
        if (pa is null || pb is null || pa == pb)
        {
            return "Both ship, with equal panel support.";
        }

        var (strong, weak) = pa > pb ? ((tools[0], pa), (tools[1], pb)) : ((tools[1], pb), (tools[0], pa));
        return $"Both ship — {strong.Item1.Name} has the stronger panel ({strong.Item2}% vs {weak.Item2}%).";
    }

    private static int? ShipPercent(ToolView t) =>
        t.PanelShipLabel is { } label && int.TryParse(label.AsSpan(0, label.IndexOf('%')), NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : null;

    /// <summary>
    /// The site's generic lead ("Which one should you ship with? Here is the side-by-side ...") says nothing about
    /// these two tools; the email leaves it out and shows only real summaries.
    /// </summary>
    public static bool IsBoilerplate(string summary) =>
        TextTools.NormalizeSpace(summary).StartsWith("Which one should you ship with?", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The comparison's URL (or <c>{ComparisonBaseUrl}/compare/{slug}</c> when it has none or it isn't absolute http(s))
    /// with <c>utm_source=newsletter&amp;utm_medium=email&amp;utm_campaign=edition-{id}</c>.
    /// </summary>
    public static string ComparisonUrl(Comparison c, SiteInfo site, long editionId)
    {
        var url = TextTools.IsAbsoluteHttp(c.Url)
            ? c.Url!
            : TextTools.Combine(site.ComparisonBaseUrl, "compare/" + Uri.EscapeDataString(c.Slug));
        return TextTools.AddQuery(url, $"utm_source=newsletter&utm_medium=email&utm_campaign=edition-{editionId.ToString(CultureInfo.InvariantCulture)}");
    }
}

/// <summary>One tool's column.</summary>
/// <param name="VerdictLabel">"Ship" / "Skip", null when the page gave no panel verdict.</param>
/// <param name="PanelSplit">"3 ship / 1 skip", null when unknown.</param>
/// <param name="PanelShipLabel">"75% panel ship", null when unknown.</param>
/// <param name="CommunityLabel">"128 votes · 64% ship" or "No community votes yet".</param>
public sealed record ToolView(
    string Name,
    Verdict? Verdict,
    string? VerdictLabel,
    string? PanelSplit,
    string? PanelShipLabel,
    string? EntryPrice,
    string? PricingDetail,
    string? BestFor,
    string? Category,
    string CommunityLabel)
{
    public static ToolView Create(Tool t)
    {
        string? split = t.PanelShipVotes is { } s && t.PanelSkipVotes is { } k ? $"{s} ship / {k} skip" : null;
        var percent = t.PanelShipPercent
            ?? (t.PanelShipVotes is { } s2 && t.PanelSkipVotes is { } k2 && s2 + k2 > 0 ? (int)Math.Round(100.0 * s2 / (s2 + k2)) : null);
        var community = t.CommunityVotes switch
        {
            null or 0 => "No community votes yet",
            1 => "1 vote" + (t.CommunityShipPercent is { } p1 ? $" · {p1}% ship" : string.Empty),
            var n => $"{n.Value.ToString("N0", CultureInfo.InvariantCulture)} votes" + (t.CommunityShipPercent is { } p ? $" · {p}% ship" : string.Empty),
        };
        return new ToolView(
            TextTools.NormalizeSpace(t.Name),
            t.PanelVerdict,
            VerdictText(t.PanelVerdict),
            split,
            percent is { } pc ? $"{pc}% panel ship" : null,
            Clean(t.EntryPrice),
            Clean(t.PricingDetail),
            Clean(t.Tagline),
            Clean(t.Category),
            community);
    }

    internal static string? VerdictText(Verdict? v) => v switch
    {
        Comparisons.Verdict.Ship => "Ship",
        Comparisons.Verdict.Skip => "Skip",
        _ => null,
    };

    private static string? Clean(string? s) => string.IsNullOrWhiteSpace(s) ? null : TextTools.NormalizeSpace(s);
}

/// <summary>One reviewer row of the scorecard.</summary>
public sealed record ScoreRow(string Persona, IReadOnlyList<ScoreCell> Cells);

/// <summary>One reviewer's score and verdict for one tool; both may be absent.</summary>
public sealed record ScoreCell(int? Score, Verdict? Verdict)
{
    public static ScoreCell Create(ReviewerTake? take) => new(take?.Score, take?.Verdict);

    public bool IsEmpty => Score is null && Verdict is null;

    /// <summary>"85", "85 · Ship", "Ship" or "" — the compact text of the cell.</summary>
    public string Text => (Score, Verdict) switch
    {
        (null, null) => string.Empty,
        ({ } s, null) => s.ToString(CultureInfo.InvariantCulture),
        (null, { } v) => ToolView.VerdictText(v)!,
        ({ } s, { } v) => $"{s} · {ToolView.VerdictText(v)}",
    };
}
