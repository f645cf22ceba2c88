namespace Newsletter.Subscribers;

/// <summary>What became of one message from the bounce mailbox; decides its folder.</summary>
public enum InboundOutcome
{
    /// <summary>Attributed and applied: the subscriber's status changed.</summary>
    Applied,

    /// <summary>Attributed and recorded, status unchanged (a soft bounce under the limit, an address already bounced).</summary>
    Unchanged,

    /// <summary>This report was applied before (read again after a crash or a lost move): nothing counted again.</summary>
    Duplicate,

    /// <summary>A report, but about no subscriber of ours: recorded, nothing changed.</summary>
    Unknown,

    /// <summary>A return-path token that does not verify: nothing changed, left in the unrecognised folder.</summary>
    Forged,

    /// <summary>A vacation or out-of-office reply: left in the unrecognised folder.</summary>
    AutoReply,

    /// <summary>Not a report we understand: left in the unrecognised folder.</summary>
    Unrecognised,
}
