namespace Newsletter.Sender.Jobs;

/// <summary>Outgoing webhooks, signed per the Standard Webhooks specification.</summary>
public sealed class WebhooksOptions
{
    public const string Section = "Webhooks";

    /// <summary>Every event type an endpoint can subscribe to.</summary>
    public static readonly IReadOnlyList<string> EventTypes =
        ["subscriber.confirmed", "subscriber.unsubscribed", "subscriber.bounced", "subscriber.complained", "edition.started", "edition.sent"];

    public List<WebhookEndpointOptions> Endpoints { get; set; } = [];

    /// <summary>How long an event is retried (with backoff) before it is given up and shown as failed in the console.</summary>
    public TimeSpan GiveUpAfter { get; set; } = TimeSpan.FromDays(1);

    /// <summary>First retry delay; each further one doubles, at most <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>A receiver that has not answered within this is treated as down (retried later).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the dispatcher looks for due deliveries.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
}
