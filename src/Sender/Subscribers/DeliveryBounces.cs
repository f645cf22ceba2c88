using Newsletter.Sender.Delivery;
using Newsletter.Subscribers;

namespace Newsletter.Sender.Subscribers;

/// <summary>Maps the delivery engine's outcomes to what <see cref="BounceRecorder"/> needs.</summary>
public static class DeliveryBounces
{
    /// <summary>The prefix <see cref="DeliveryWorker"/> gives a deferral that ran out of retry window.</summary>
    public const string RetryWindowPassed = "retry window passed: ";

    /// <summary>
    /// Sent → <see cref="BounceKind.Sent"/>; a 5xx to RCPT → <see cref="BounceKind.FailedHard"/>; failed after the retry
    /// window (4xx replies, timeouts) → <see cref="BounceKind.FailedSoft"/>; anything else (deferred, skipped, a 5xx that
    /// was not the recipient's fault) → <see cref="BounceKind.None"/>.
    /// </summary>
    public static DeliveryOutcomeForBounce From(long subscriberId, long editionId, Outcome outcome) => new(subscriberId, editionId,
        outcome.Kind switch
        {
            OutcomeKind.Sent => BounceKind.Sent,
            OutcomeKind.Failed when outcome.HardBounce => BounceKind.FailedHard,
            OutcomeKind.Failed when outcome.Reply.StartsWith(RetryWindowPassed, StringComparison.Ordinal) => BounceKind.FailedSoft,
            _ => BounceKind.None,
        }, outcome.Reply);
}
