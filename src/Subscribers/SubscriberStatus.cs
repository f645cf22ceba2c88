namespace Newsletter.Subscribers;

/// <summary>
/// A subscriber's status. Only <see cref="Confirmed"/> receives editions. Bounced, complained and erased
/// are suppressions: nothing but a new double opt-in (and, for complained and erased, not even an import)
/// brings an address back.
/// </summary>
public static class SubscriberStatus
{
    public const string Pending = "pending";
    public const string Confirmed = "confirmed";
    public const string Unsubscribed = "unsubscribed";
    public const string Bounced = "bounced";
    public const string Complained = "complained";
    public const string Erased = "erased";

    /// <summary>Every status, in lifecycle order.</summary>
    public static readonly IReadOnlyList<string> All = [Pending, Confirmed, Unsubscribed, Bounced, Complained, Erased];
}
