namespace Newsletter.Subscribers;

/// <summary>
/// What an attempt made of an outbox mail. <see cref="Released"/>: the claim ended before the mail was started (a stop),
/// so the attempt does not count.
/// </summary>
public enum OutboxState
{
    Sent,
    Deferred,
    Failed,
    Skipped,
    Released,
}
