namespace Newsletter.Subscribers;

/// <summary>
/// One bounce or complaint for a known subscriber, from any source, as <see cref="BounceRecorder.ReportAsync"/> applies it.
/// </summary>
/// <param name="EditionId">The edition it is about, when known (a VERP token or the original Message-ID says so).</param>
/// <param name="Detail">The diagnostic text (SMTP reply, DSN status and diagnostic, the provider's reason), clipped on storage.</param>
public sealed record BounceReport(long SubscriberId, long? EditionId, BounceReportKind Kind, BounceSource Source, string? Detail);
