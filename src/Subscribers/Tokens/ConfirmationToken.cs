using System.Security.Cryptography;
using System.Text;

namespace Newsletter.Subscribers;

/// <summary>Double opt-in tokens: 256 bits from the OS CSPRNG, URL-safe; only their SHA-256 is stored.</summary>
public static class ConfirmationToken
{
    public static string Create() => Base64Url.Encode(RandomNumberGenerator.GetBytes(32));

    /// <summary>The stored form. Unknown or malformed input hashes to something no row has.</summary>
    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    /// <summary>Cheap shape check before touching the database (43 URL-safe characters).</summary>
    public static bool LooksValid(string? token)
        => token is { Length: 43 } && token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
