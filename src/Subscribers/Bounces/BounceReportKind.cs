namespace Newsletter.Subscribers;

/// <summary>What a report says about one recipient.</summary>
public enum BounceReportKind
{
    /// <summary>Permanent (5.x.x, a provider's permanent bounce): bounced at once.</summary>
    Hard,

    /// <summary>Transient (4.x.x, delayed): one soft bounce, counted once per edition.</summary>
    Soft,

    /// <summary>The recipient marked the mail as spam: complained, never mailed again.</summary>
    Complaint,
}
