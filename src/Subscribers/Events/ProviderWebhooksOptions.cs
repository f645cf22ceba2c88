namespace Newsletter.Subscribers;

/// <summary>
/// The "Webhooks" section (<c>Webhooks__*</c>): what each provider's webhook is verified with. A provider left unset
/// has no webhook (404). See docs/bounces.md for each payload.
/// </summary>
public sealed class ProviderWebhooksOptions
{
    public const string Section = "Webhooks";

    /// <summary>SendGrid's Event Webhook verification key (base64 of the ECDSA P-256 public key, as SendGrid shows it).</summary>
    public string? SendGridPublicKey { get; set; }

    /// <summary>
    /// Postmark signs nothing: its webhook URL carries Basic credentials (<c>https://user:password@host/webhooks/postmark</c>),
    /// checked against these two.
    /// </summary>
    public string? PostmarkUsername { get; set; }

    public string? PostmarkPassword { get; set; }

    /// <summary>Mailgun's HTTP webhook signing key (HMAC-SHA256 over timestamp and token).</summary>
    public string? MailgunSigningKey { get; set; }

    /// <summary>How far a signed timestamp (Mailgun, SendGrid) may be from now: older posts are replays.</summary>
    public TimeSpan MaxSignatureAge { get; set; } = TimeSpan.FromHours(1);
}
