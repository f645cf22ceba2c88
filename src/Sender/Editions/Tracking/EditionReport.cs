namespace Newsletter.Sender.Editions;

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
