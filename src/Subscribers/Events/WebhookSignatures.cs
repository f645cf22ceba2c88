using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Newsletter.Subscribers;

/// <summary>What each provider signs, verified; every comparison in constant time.</summary>
public static class WebhookSignatures
{
    /// <summary>
    /// SendGrid's signed Event Webhook: an ECDSA P-256 / SHA-256 signature (base64, DER) over the
    /// <c>X-Twilio-Email-Event-Webhook-Timestamp</c> value followed by the raw body.
    /// </summary>
    public static bool SendGrid(string publicKeyBase64, string? signature, string? timestamp, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(publicKeyBase64);
        if (string.IsNullOrEmpty(signature) || string.IsNullOrEmpty(timestamp)) return false;
        try
        {
            using var key = ECDsa.Create();
            key.ImportSubjectPublicKeyInfo(Convert.FromBase64String(publicKeyBase64), out _);
            var signed = new byte[Encoding.UTF8.GetByteCount(timestamp) + body.Length];
            var n = Encoding.UTF8.GetBytes(timestamp, signed);
            body.CopyTo(signed.AsSpan(n));
            return key.VerifyData(signed, Convert.FromBase64String(signature), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (FormatException)
        {
            return false;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>Mailgun: <c>signature</c> is hex HMAC-SHA256 under the signing key of <c>timestamp</c> followed by <c>token</c>.</summary>
    public static bool Mailgun(string signingKey, string? timestamp, string? token, string? signature)
    {
        ArgumentNullException.ThrowIfNull(signingKey);
        if (string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(token) || signature is not { Length: 64 }) return false;
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(signingKey), Encoding.UTF8.GetBytes(timestamp + token));
        byte[] given;
        try
        {
            given = Convert.FromHexString(signature);
        }
        catch (FormatException)
        {
            return false;
        }
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }

    /// <summary>HTTP Basic credentials (<c>Authorization: Basic ...</c>) equal to the configured pair.</summary>
    public static bool Basic(string? authorization, string username, string password)
    {
        ArgumentNullException.ThrowIfNull(username);
        ArgumentNullException.ThrowIfNull(password);
        if (authorization is null || !authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) return false;
        byte[] decoded;
        try
        {
            decoded = Convert.FromBase64String(authorization[6..].Trim());
        }
        catch (FormatException)
        {
            return false;
        }
        var expected = Encoding.UTF8.GetBytes(username + ":" + password);
        // Hash both so the comparison takes the same time whatever the lengths.
        return CryptographicOperations.FixedTimeEquals(SHA256.HashData(decoded), SHA256.HashData(expected));
    }

    /// <summary>A Unix-seconds timestamp within <paramref name="maxAge"/> of <paramref name="now"/> (either side).</summary>
    public static bool Fresh(string? unixSeconds, DateTimeOffset now, TimeSpan maxAge)
        => long.TryParse(unixSeconds, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
           && seconds < 100_000_000_000
           && (now - DateTimeOffset.FromUnixTimeSeconds(seconds)).Duration() <= maxAge;
}
