using Microsoft.Extensions.Options;
using Newsletter.Sender.Configuration;
using Newsletter.Sender.Delivery;
using Newsletter.Subscribers;

namespace Newsletter.Sender.Tests.Delivery;

public sealed class FailurePolicyTests
{
    private static readonly FailurePolicy Policy = new(Options.Create(new DeliveryOptions { RetryWindow = TimeSpan.FromHours(1) }), TimeProvider.System);

    [Fact]
    public void A_transient_failure_within_the_retry_window_is_deferred()
    {
        var outcome = Policy.Failure(new TimeoutException("slow"), DateTimeOffset.UtcNow.AddMinutes(-5));

        Assert.Equal(OutcomeKind.Deferred, outcome.Kind);
        Assert.Equal(BounceKind.None, outcome.Bounce);
    }

    [Fact]
    public void A_transient_failure_after_the_retry_window_fails_as_a_soft_bounce()
    {
        var outcome = Policy.Failure(new TimeoutException("slow"), DateTimeOffset.UtcNow.AddHours(-2));

        Assert.Equal(OutcomeKind.Failed, outcome.Kind);
        Assert.Equal(BounceKind.FailedSoft, outcome.Bounce);
        Assert.StartsWith(FailurePolicy.RetryWindowPassed + "connection: ", outcome.Reply, StringComparison.Ordinal);
        Assert.False(outcome.HardBounce);
        Assert.Equal(BounceKind.FailedSoft, DeliveryBounces.From(1, 2, outcome).Kind);
    }
}
