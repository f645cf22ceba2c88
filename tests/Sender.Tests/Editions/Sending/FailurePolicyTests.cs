using Microsoft.Extensions.Options;
using Newsletter.Mail.Smtp;
using Newsletter.Sender.Editions;
using Newsletter.Subscribers;

namespace Newsletter.Sender.Tests.Editions.Sending;

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
    public void A_recipient_deferred_past_the_retry_window_fails_as_a_soft_bounce()
    {
        var rcpt = new SmtpCommandException(new SmtpReply(452, ["4.2.2 mailbox full"]), "RCPT", "a@example.com");
        var outcome = Policy.Failure(rcpt, DateTimeOffset.UtcNow.AddHours(-2));

        Assert.Equal(OutcomeKind.Failed, outcome.Kind);
        Assert.Equal(BounceKind.FailedSoft, outcome.Bounce);
        Assert.StartsWith(FailurePolicy.RetryWindowPassed + "452", outcome.Reply, StringComparison.Ordinal);
        Assert.False(outcome.HardBounce);
        Assert.Equal(BounceKind.FailedSoft, DeliveryBounces.From(1, 2, outcome).Kind);
    }

    [Theory]
    [InlineData("timeout")]
    [InlineData("MAIL")]
    [InlineData("DATA")]
    public void A_relay_failing_past_the_retry_window_fails_the_delivery_without_a_bounce(string what)
    {
        Exception error = what == "timeout"
            ? new TimeoutException("slow")
            : new SmtpCommandException(new SmtpReply(451, ["4.3.0 try later"]), what, null);
        var outcome = Policy.Failure(error, DateTimeOffset.UtcNow.AddHours(-2));

        Assert.Equal(OutcomeKind.Failed, outcome.Kind);
        Assert.Equal(BounceKind.None, outcome.Bounce);
        Assert.StartsWith(FailurePolicy.RetryWindowPassed, outcome.Reply, StringComparison.Ordinal);
        Assert.False(outcome.HardBounce);
        Assert.Equal(BounceKind.None, DeliveryBounces.From(1, 2, outcome).Kind);
    }
}
