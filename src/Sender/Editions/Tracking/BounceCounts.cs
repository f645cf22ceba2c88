namespace Newsletter.Sender.Editions;

/// <summary>Failed deliveries the recipient's side refused: hard (a 5xx to RCPT) or soft (4xx to RCPT until the retry window ran out).</summary>
public sealed record BounceCounts(long Hard, long Soft);
