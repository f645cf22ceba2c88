namespace Newsletter.Sender.Hosting;

/// <summary>The <c>kind</c> label of the message counters.</summary>
public enum MessageKind
{
    /// <summary>A delivery of an edition.</summary>
    Edition,

    /// <summary>An outbox mail: confirmation, welcome, goodbye.</summary>
    Transactional,
}
