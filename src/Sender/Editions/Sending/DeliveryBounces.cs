using Newsletter.Subscribers;

namespace Newsletter.Sender.Editions;

/// <summary>Maps the delivery engine's outcomes to what <see cref="BounceRecorder"/> needs.</summary>
public static class DeliveryBounces
{
    /// <summary>
    /// Sent → <see cref="BounceKind.Sent"/>; failed → the outcome's <see cref="Outcome.Bounce"/> (a 5xx to RCPT is
    /// hard, running out of retry window is soft); anything else (deferred, skipped) → <see cref="BounceKind.None"/>.
    /// </summary>
    public static DeliveryOutcomeForBounce From(long subscriberId, long editionId, Outcome outcome) => new(subscriberId, editionId,
        outcome.Kind switch
        {
            OutcomeKind.Sent => BounceKind.Sent,
            OutcomeKind.Failed => outcome.Bounce,
            _ => BounceKind.None,
        }, outcome.Reply);
}
