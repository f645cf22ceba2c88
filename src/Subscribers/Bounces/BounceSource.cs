namespace Newsletter.Subscribers;

/// <summary>Where a bounce or complaint came from; stored in <c>bounces.source</c> and shown in the admin console.</summary>
public enum BounceSource
{
    /// <summary>Our relay's reply to RCPT or DATA while sending.</summary>
    Smtp,

    /// <summary>A report (DSN, ARF, a provider's own bounce text) read from the bounce mailbox.</summary>
    Mailbox,

    /// <summary>A provider's webhook or the events API.</summary>
    Webhook,
}
