using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Newsletter.Mail;

namespace Newsletter.Subscribers;

/// <summary>
/// VERP return paths: <c>local+e{edition}-{subscriber}-{mac}@domain</c> for an edition delivery and
/// <c>local+t{subscriber}-{mac}@domain</c> for a transactional mail, ids in base 36 and the MAC the first 80 bits of
/// HMAC-SHA256 over (kind, ids) in lower-case base32, so a mail server that folds the local part's case keeps it
/// valid. Verified under every key in constant time: a bounce cannot be made to name another subscriber.
/// </summary>
public sealed class VerpAddresses
{
    private const int MacBytes = 10;
    private const string Base32 = "abcdefghijklmnopqrstuvwxyz234567";
    private readonly byte[][] keys;
    private readonly string local;
    private readonly string domain;

    /// <summary>Tokens for <paramref name="address"/>, signed with the first of <paramref name="keys"/>, verified under all.</summary>
    public VerpAddresses(string address, IReadOnlyList<string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0) throw new ArgumentException("at least one key is needed", nameof(keys));
        var parsed = EmailAddress.Parse(address);
        local = parsed.LocalPart;
        domain = parsed.Domain;
        // A key of its own, derived, so a return-path MAC is never also a valid unsubscribe MAC.
        this.keys = keys.Select(k => HMACSHA256.HashData(Encoding.UTF8.GetBytes(k), "newsletter verp return path v1"u8)).ToArray();
    }

    /// <summary>The return paths the settings ask for; null when <c>Bounces__Address</c> is not set.</summary>
    public static VerpAddresses? FromSettings(BouncesOptions bounces, SubscribersOptions subscribers)
    {
        ArgumentNullException.ThrowIfNull(bounces);
        ArgumentNullException.ThrowIfNull(subscribers);
        if (string.IsNullOrWhiteSpace(bounces.Address)) return null;
        return new VerpAddresses(bounces.Address, bounces.Keys.Count > 0 ? bounces.Keys : subscribers.UnsubscribeKeys);
    }

    /// <summary>The plain return address (without a token).</summary>
    public string Address => local + "@" + domain;

    /// <summary>The return path of one edition delivery.</summary>
    public string ForEdition(long editionId, long subscriberId) => Create('e', editionId, subscriberId);

    /// <summary>The return path of a transactional mail to a subscriber.</summary>
    public string ForTransactional(long subscriberId) => Create('t', 0, subscriberId);

    private string Create(char kind, long editionId, long subscriberId)
    {
        Span<byte> mac = stackalloc byte[32];
        Sign(keys[0], kind, editionId, subscriberId, mac);
        var ids = kind == 'e' ? Base36(editionId) + "-" + Base36(subscriberId) : Base36(subscriberId);
        return string.Concat(local, "+", kind.ToString(), ids, "-", ToBase32(mac[..MacBytes]), "@", domain);
    }

    /// <summary>
    /// Reads an address: <see cref="VerpResult.None"/> when it is not one of ours with a token,
    /// <see cref="VerpResult.Forged"/> when it carries a token that does not verify.
    /// </summary>
    public VerpResult TryRead(string? address, out VerpToken? token)
    {
        token = null;
        if (string.IsNullOrEmpty(address) || address.Length > 200) return VerpResult.None;
        var at = address.LastIndexOf('@');
        if (at < 0 || !string.Equals(address[(at + 1)..], domain, StringComparison.OrdinalIgnoreCase)) return VerpResult.None;
        var localPart = address[..at];
        var prefix = local + "+";
        if (!localPart.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) return VerpResult.None;
        var t = localPart[prefix.Length..].ToLowerInvariant();
        if (t.Length < 2) return VerpResult.Forged;
        var parts = t[1..].Split('-');
        long editionId = 0, subscriberId;
        string macText;
        if (t[0] == 'e' && parts.Length == 3 && TryBase36(parts[0], out editionId) && TryBase36(parts[1], out subscriberId)) macText = parts[2];
        else if (t[0] == 't' && parts.Length == 2 && TryBase36(parts[0], out subscriberId)) macText = parts[1];
        else return VerpResult.Forged;
        Span<byte> given = stackalloc byte[MacBytes];
        if (!TryFromBase32(macText, given)) return VerpResult.Forged;
        Span<byte> mac = stackalloc byte[32];
        var ok = false;
        foreach (var key in keys)
        {
            Sign(key, t[0], editionId, subscriberId, mac);
            ok |= CryptographicOperations.FixedTimeEquals(mac[..MacBytes], given);
        }
        if (!ok) return VerpResult.Forged;
        token = new VerpToken(subscriberId, t[0] == 'e' ? editionId : null);
        return VerpResult.Valid;
    }

    private static void Sign(byte[] key, char kind, long editionId, long subscriberId, Span<byte> mac)
    {
        Span<byte> data = stackalloc byte[17];
        data[0] = (byte)kind;
        BinaryPrimitives.WriteInt64BigEndian(data[1..], editionId);
        BinaryPrimitives.WriteInt64BigEndian(data[9..], subscriberId);
        HMACSHA256.HashData(key, data, mac);
    }

    private static string Base36(long value)
    {
        if (value < 0) throw new ArgumentOutOfRangeException(nameof(value), "ids are positive");
        if (value == 0) return "0";
        Span<char> buffer = stackalloc char[13];
        var i = buffer.Length;
        while (value > 0)
        {
            buffer[--i] = "0123456789abcdefghijklmnopqrstuvwxyz"[(int)(value % 36)];
            value /= 36;
        }
        return new string(buffer[i..]);
    }

    private static bool TryBase36(string text, out long value)
    {
        value = 0;
        if (text.Length is 0 or > 12) return false;
        foreach (var c in text)
        {
            var d = c is >= '0' and <= '9' ? c - '0' : c is >= 'a' and <= 'z' ? c - 'a' + 10 : -1;
            if (d < 0) return false;
            value = value * 36 + d;
        }
        return true;
    }

    private static string ToBase32(ReadOnlySpan<byte> bytes)
    {
        // 10 bytes are exactly 16 base32 characters: no padding.
        var sb = new StringBuilder(16);
        int buffer = 0, bits = 0;
        foreach (var b in bytes)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                sb.Append(Base32[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        return sb.ToString();
    }

    private static bool TryFromBase32(string text, Span<byte> output)
    {
        if (text.Length != output.Length * 8 / 5) return false;
        int buffer = 0, bits = 0, n = 0;
        foreach (var c in text)
        {
            var v = Base32.IndexOf(c, StringComparison.Ordinal);
            if (v < 0) return false;
            buffer = (buffer << 5) | v;
            bits += 5;
            if (bits >= 8)
            {
                output[n++] = (byte)(buffer >> (bits - 8));
                bits -= 8;
            }
        }
        return n == output.Length;
    }
}
