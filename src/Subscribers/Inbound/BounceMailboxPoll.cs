namespace Newsletter.Subscribers;

/// <summary>One look at the bounce mailbox: messages read and what became of them.</summary>
public sealed record BounceMailboxPoll(int Read, IReadOnlyDictionary<InboundOutcome, int> Outcomes)
{
    /// <summary>How many messages had <paramref name="outcome"/>.</summary>
    public int Count(InboundOutcome outcome) => Outcomes.GetValueOrDefault(outcome);
}
