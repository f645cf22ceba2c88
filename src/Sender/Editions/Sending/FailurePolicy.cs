using Microsoft.Extensions.Options;
using Newsletter.Subscribers;

namespace Newsletter.Sender.Editions;

/// <summary>
/// What a failed attempt means: transient failures are deferred until <c>Delivery__RetryWindow</c> has passed since
/// the delivery's window start (a window that stands still while its edition is paused), then failed. Only a
/// recipient whose own RCPT kept being deferred is a soft bounce; a relay that kept failing, or a message that could
/// not be built, fails the delivery without touching the subscriber.
/// </summary>
internal sealed class FailurePolicy(IOptions<DeliveryOptions> options, TimeProvider time)
{
    /// <summary>Put before the last reply of a delivery that ran out of retry window, for whoever reads last_reply.</summary>
    public const string RetryWindowPassed = "retry window passed: ";

    /// <summary>Put before the reason of a message that could not be built.</summary>
    public const string NotBuilt = "message could not be built: ";

    public Outcome Failure(Exception error, DateTimeOffset windowStart)
    {
        var outcome = Outcome.FromException(error);
        if (outcome.Kind != OutcomeKind.Deferred || time.GetUtcNow() - windowStart <= options.Value.RetryWindow) return outcome;
        return new Outcome(OutcomeKind.Failed, RetryWindowPassed + outcome.Reply, outcome.AboutRecipient ? BounceKind.FailedSoft : BounceKind.None)
        {
            AboutRecipient = outcome.AboutRecipient,
        };
    }

    /// <summary>A message that could not be built: deferred with the reason (it may be a passing fault), failed after the window.</summary>
    public Outcome Composition(Exception error, DateTimeOffset windowStart)
    {
        var reply = NotBuilt + error.GetType().Name + ": " + error.Message;
        return time.GetUtcNow() - windowStart <= options.Value.RetryWindow
            ? new Outcome(OutcomeKind.Deferred, reply) { Composition = true }
            : new Outcome(OutcomeKind.Failed, RetryWindowPassed + reply) { Composition = true };
    }
}
