namespace Newsletter.Sender.Editions;

/// <summary>One claimed edition delivery as the claim returns it.</summary>
internal sealed record ClaimedDelivery(long Id, long EditionId, long SubscriberId, string Email, string Status, int Attempts, DateTime WindowStart,
    DateTime NextAttemptAt);
