namespace Newsletter.Sender.Editions;

/// <summary>What became of one attempt; each is the delivery's or outbox mail's next state.</summary>
public enum OutcomeKind
{
    Sent,
    Deferred,
    Failed,
    Skipped,

    /// <summary>Claimed but never started (a stop, an edition that cannot be built): due again at once, the attempt not counted.</summary>
    Released,
}
