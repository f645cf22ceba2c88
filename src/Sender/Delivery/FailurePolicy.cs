using Microsoft.Extensions.Options;
using Newsletter.Sender.Configuration;
using Newsletter.Subscribers;

namespace Newsletter.Sender.Delivery;

/// <summary>
/// What a failed attempt means: transient failures are deferred until <c>Delivery__RetryWindow</c> has passed since
/// the delivery's window start, then failed as a soft bounce.
/// </summary>
internal sealed class FailurePolicy(IOptions<DeliveryOptions> options, TimeProvider time)
{
    /// <summary>Put before the last reply of a delivery that ran out of retry window, for whoever reads last_reply.</summary>
    public const string RetryWindowPassed = "retry window passed: ";

    public Outcome Failure(Exception error, DateTimeOffset windowStart)
    {
        var outcome = Outcome.FromException(error);
        return outcome.Kind == OutcomeKind.Deferred && time.GetUtcNow() - windowStart > options.Value.RetryWindow
            ? new Outcome(OutcomeKind.Failed, RetryWindowPassed + outcome.Reply, BounceKind.FailedSoft)
            : outcome;
    }
}
