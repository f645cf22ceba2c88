using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Newsletter.Subscribers;

/// <summary>
/// Unsubscribe tokens: <c>version(1) | keyIndex(1) | subscriberId(8) | editionId(8)</c> followed by the first
/// 16 bytes of HMAC-SHA256 over those 18 bytes, base64url. They never expire (a link in a mail from last year
/// must still work), verify with any configured key (rotation: new keys go first, old ones stay to verify), are
/// compared in constant time, and bind the subscriber id: a token for one subscriber cannot name another.
/// </summary>
public sealed class UnsubscribeTokens
{
    private const byte Version = 1;
    private const int PayloadLength = 18;
    private const int MacLength = 16;
    private readonly byte[][] keys;

    public UnsubscribeTokens(IReadOnlyList<string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0 || keys.Count > 255) throw new ArgumentException("between 1 and 255 unsubscribe keys are needed", nameof(keys));
        this.keys = keys.Select(k => Encoding.UTF8.GetBytes(k)).ToArray();
    }

    /// <summary>A token for this subscriber (and the edition the link was sent in; 0 for none).</summary>
    public string Create(long subscriberId, long editionId = 0)
    {
        Span<byte> token = stackalloc byte[PayloadLength + MacLength];
        token[0] = Version;
        token[1] = 0;
        BinaryPrimitives.WriteInt64BigEndian(token[2..], subscriberId);
        BinaryPrimitives.WriteInt64BigEndian(token[10..], editionId);
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(keys[0], token[..PayloadLength], mac);
        mac[..MacLength].CopyTo(token[PayloadLength..]);
        return Base64Url.Encode(token);
    }

    /// <summary>Checks a token; false for anything modified, truncated, or signed with an unknown key.</summary>
    public bool TryVerify(string? token, out long subscriberId, out long editionId)
    {
        subscriberId = 0;
        editionId = 0;
        if (string.IsNullOrEmpty(token) || token.Length > 64) return false;
        Span<byte> bytes = stackalloc byte[48];
        if (!Base64Url.TryDecode(token, bytes, out var written) || written != PayloadLength + MacLength) return false;
        if (bytes[0] != Version || bytes[1] >= keys.Length) return false;
        Span<byte> mac = stackalloc byte[32];
        var ok = false;
        // Try every key, whichever signed: rotation means old links carry an old key's MAC.
        foreach (var key in keys)
        {
            HMACSHA256.HashData(key, bytes[..PayloadLength], mac);
            ok |= CryptographicOperations.FixedTimeEquals(mac[..MacLength], bytes.Slice(PayloadLength, MacLength));
        }
        if (!ok) return false;
        subscriberId = BinaryPrimitives.ReadInt64BigEndian(bytes[2..]);
        editionId = BinaryPrimitives.ReadInt64BigEndian(bytes[10..]);
        return subscriberId > 0;
    }
}
