namespace Newsletter.Sender.Delivery;

public enum OutcomeKind
{
    Sent,
    Deferred,
    Failed,
    Skipped,
}
