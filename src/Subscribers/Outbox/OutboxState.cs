namespace Newsletter.Subscribers;

/// <summary>
/// Where an outbox mail stands, stored as the member's name in lower case (<see cref="Newsletter.Database.DbValue"/>).
/// <see cref="Released"/> is an outcome only, never stored: the claim ended before the mail was started (a stop), so
/// the mail goes back as it was and the attempt does not count.
/// </summary>
public enum OutboxState
{
    Pending,
    Sending,
    Sent,
    Deferred,
    Failed,
    Released,
}
