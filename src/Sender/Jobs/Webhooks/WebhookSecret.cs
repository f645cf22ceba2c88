namespace Newsletter.Sender.Jobs;

/// <summary>The Standard Webhooks secret format: <c>whsec_</c> and the base64 of the key.</summary>
public static class WebhookSecret
{
    public const string Prefix = "whsec_";

    /// <summary>True for <c>whsec_</c> followed by base64 of 24 to 64 bytes.</summary>
    public static bool IsValid(string? secret)
    {
        if (secret is null || !secret.StartsWith(Prefix, StringComparison.Ordinal)) return false;
        var buffer = new byte[96];
        return Convert.TryFromBase64String(secret[Prefix.Length..], buffer, out var written) && written is >= 24 and <= 64;
    }
}
