using Newsletter.Sender.Editions;
using Newsletter.Subscribers;

namespace Newsletter.Sender.Tests.Editions.Sending;

public sealed class DeliveryBouncesTests
{
    [Theory]
    [InlineData(OutcomeKind.Sent, "250 ok", BounceKind.None, BounceKind.Sent)]
    [InlineData(OutcomeKind.Failed, "550 5.1.1 unknown (after RCPT TO)", BounceKind.FailedHard, BounceKind.FailedHard)]
    [InlineData(OutcomeKind.Failed, "retry window passed: 452 4.2.2 mailbox full", BounceKind.FailedSoft, BounceKind.FailedSoft)]
    [InlineData(OutcomeKind.Failed, "554 5.7.1 message content rejected (after DATA)", BounceKind.None, BounceKind.None)]
    [InlineData(OutcomeKind.Deferred, "421 try later", BounceKind.None, BounceKind.None)]
    [InlineData(OutcomeKind.Skipped, "subscriber is unsubscribed", BounceKind.None, BounceKind.None)]
    public void Delivery_outcomes_map_to_bounce_kinds(OutcomeKind kind, string reply, BounceKind bounce, BounceKind expected)
    {
        var mapped = DeliveryBounces.From(7, 3, new Outcome(kind, reply, bounce));

        Assert.Equal(new DeliveryOutcomeForBounce(7, 3, expected, reply), mapped);
    }
}
