namespace Newsletter.Subscribers;

/// <summary>RFC 4648 §5 base64url without padding.</summary>
public static class Base64Url
{
    public static string Encode(ReadOnlySpan<byte> data) => System.Buffers.Text.Base64Url.EncodeToString(data);

    public static bool TryDecode(string text, Span<byte> destination, out int written)
    {
        written = 0;
        foreach (var c in text)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')) return false;
        // A length no encoding can have (4n + 1 characters) throws instead of returning false.
        if (text.Length % 4 == 1) return false;
        try
        {
            return System.Buffers.Text.Base64Url.TryDecodeFromChars(text, destination, out written);
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
