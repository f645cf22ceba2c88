namespace Newsletter.Sender.Tracking;

/// <summary>What readers did with one edition (<c>GET /api/editions/{id}/report</c>).</summary>
/// <param name="ClickRate">Readers who clicked over delivered (Individual mode), else clicks over delivered; null before anything is delivered.</param>
public sealed record EditionReport(
    long EditionId,
    string? Subject,
    string State,
    DateTime? StartedAt,
    int Recipients,
    long Delivered,
    long Deferred,
    long Failed,
    long Pending,
    BounceCounts Bounces,
    long Complaints,
    long Unsubscribes,
    double? UnsubscribeRate,
    ClickCounts Clicks,
    double? ClickRate,
    OpenCounts? Opens);

/// <summary>Failed deliveries the recipient's side refused: hard (a 5xx to RCPT) or soft (4xx to RCPT until the retry window ran out).</summary>
public sealed record BounceCounts(long Hard, long Soft);

/// <summary>
/// Clicks by readers (<see cref="Total"/>) and by machines (<see cref="Machine"/>, not in the totals); <see cref="Unique"/>:
/// readers who clicked, null where the mode does not know readers.
/// </summary>
public sealed record ClickCounts(long Total, long Machine, long? Unique, IReadOnlyList<ComparisonClicks> ByComparison, IReadOnlyList<LinkClicks> ByLink);

/// <summary>Reader clicks on a comparison's links.</summary>
public sealed record ComparisonClicks(string Slug, long Clicks, long? Unique, long Machine);

/// <summary>Clicks on one link.</summary>
public sealed record LinkClicks(int LinkId, string Url, string? Slug, long Clicks, long? Unique, long Machine);

/// <summary>Fetches of the open pixel (only with <c>Tracking__Opens=On</c>).</summary>
public sealed record OpenCounts(long Total, long Machine);
