namespace Newsletter.Sender.Jobs;

/// <summary>One receiver of outgoing webhooks (<c>Webhooks__Endpoints__N__...</c>).</summary>
public sealed class WebhookEndpointOptions
{
    public string Url { get; set; } = "";

    /// <summary>The Standard Webhooks signing secret: <c>whsec_</c> followed by base64 of 24 to 64 random bytes.</summary>
    public string Secret { get; set; } = "";

    /// <summary>The event types sent to this endpoint (a subset of <see cref="WebhooksOptions.EventTypes"/>).</summary>
    public List<string> Events { get; set; } = [];
}
