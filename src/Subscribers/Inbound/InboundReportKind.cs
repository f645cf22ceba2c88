namespace Newsletter.Subscribers;

/// <summary>What a message in the bounce mailbox is.</summary>
public enum InboundReportKind
{
    /// <summary>A delivery status notification or a provider's bounce text: one or more recipients failed or were delayed.</summary>
    Bounce,

    /// <summary>An ARF feedback report (RFC 5965): the recipient marked the mail as spam.</summary>
    Complaint,

    /// <summary>A vacation or out-of-office reply: left alone, never counted.</summary>
    AutoReply,

    /// <summary>Anything else (including a DSN that reports success): left alone, never counted.</summary>
    Unrecognised,
}
