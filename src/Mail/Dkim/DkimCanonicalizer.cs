using System.Buffers;
using System.Security.Cryptography;

namespace Newsletter.Mail.Dkim;

/// <summary>The "relaxed" canonicalization algorithms of RFC 6376 §3.4.2 (header) and §3.4.4 (body).</summary>
internal static class DkimCanonicalizer
{
    /// <summary>SHA-256 of the relaxed-canonicalized body (RFC 6376 §3.4.4, §3.7).</summary>
    public static byte[] HashBody(ReadOnlySpan<byte> body)
    {
        // Trailing empty lines are ignored, and white space at the end of the last line too: cut after the last
        // character that is not WSP or a line break, then add the single CRLF a non-empty body ends with.
        var end = body.LastIndexOfAnyExcept(" \t\r\n"u8) + 1;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        if (end == 0) return hash.GetHashAndReset(); // empty body: hash of nothing
        var content = body[..end];
        if (content.IndexOf((byte)'\t') < 0 && content.IndexOf("  "u8) < 0 && content.IndexOf(" \r\n"u8) < 0)
        {
            // Fast path: nothing to change.
            hash.AppendData(content);
            hash.AppendData("\r\n"u8);
            return hash.GetHashAndReset();
        }
        var scratch = ArrayPool<byte>.Shared.Rent(1024);
        try
        {
            var runStart = 0;
            var pos = 0;
            while (pos < content.Length)
            {
                var rel = content[pos..].IndexOf("\r\n"u8);
                var lineEnd = rel < 0 ? content.Length : pos + rel;
                var line = content[pos..lineEnd];
                if (line.IndexOf((byte)'\t') >= 0 || line.IndexOf("  "u8) >= 0 || (line.Length > 0 && line[^1] == (byte)' '))
                {
                    hash.AppendData(content[runStart..pos]);
                    if (scratch.Length < line.Length + 2)
                    {
                        ArrayPool<byte>.Shared.Return(scratch);
                        scratch = ArrayPool<byte>.Shared.Rent(line.Length + 2);
                    }
                    var n = CollapseWhiteSpace(line, scratch);
                    hash.AppendData(scratch.AsSpan(0, n));
                    runStart = lineEnd; // the CRLF (if any) goes with the next run
                }
                pos = rel < 0 ? content.Length : lineEnd + 2;
            }
            hash.AppendData(content[runStart..]);
            hash.AppendData("\r\n"u8);
            return hash.GetHashAndReset();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    /// <summary>Reduces WSP runs to one SP and drops trailing WSP; returns the length written.</summary>
    private static int CollapseWhiteSpace(ReadOnlySpan<byte> line, Span<byte> output)
    {
        var n = 0;
        var inWsp = false;
        foreach (var b in line)
        {
            if (b is (byte)' ' or (byte)'\t')
            {
                inWsp = true;
                continue;
            }
            if (inWsp) { output[n++] = (byte)' '; inWsp = false; }
            output[n++] = b;
        }
        return n;
    }

    /// <summary>Appends "name:value\r\n" canonicalized relaxed (RFC 6376 §3.4.2) for a raw header field (with its CRLF).</summary>
    public static void AppendHeader(ReadOnlySpan<byte> field, ArrayBufferWriter<byte> output, bool withCrlf)
    {
        var colon = field.IndexOf((byte)':');
        var name = field[..colon].TrimEnd(" \t"u8);
        var span = output.GetSpan(field.Length + 2);
        var n = 0;
        foreach (var b in name) span[n++] = b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b + 32) : b;
        span[n++] = (byte)':';
        var value = field[(colon + 1)..];
        var inWsp = false;
        var started = false;
        foreach (var b in value)
        {
            if (b is (byte)'\r' or (byte)'\n') continue; // unfold
            if (b is (byte)' ' or (byte)'\t')
            {
                inWsp = true;
                continue;
            }
            if (inWsp && started) span[n++] = (byte)' ';
            inWsp = false;
            started = true;
            span[n++] = b;
        }
        if (withCrlf)
        {
            span[n++] = (byte)'\r';
            span[n++] = (byte)'\n';
        }
        output.Advance(n);
    }

    /// <summary>Splits the header block into fields: (name, start, length including the final CRLF).</summary>
    public static List<(string Name, int Start, int Length)> ParseHeaders(ReadOnlySpan<byte> message, out int bodyStart)
    {
        var fields = new List<(string, int, int)>(16);
        var pos = 0;
        bodyStart = message.Length;
        while (pos < message.Length)
        {
            if (message[pos..].StartsWith("\r\n"u8))
            {
                bodyStart = pos + 2;
                return fields;
            }
            var start = pos;
            // A field continues while the next line starts with WSP (RFC 5322 §2.2.3).
            while (true)
            {
                var rel = message[pos..].IndexOf("\r\n"u8);
                if (rel < 0) { pos = message.Length; break; }
                pos += rel + 2;
                if (pos >= message.Length || message[pos] is not ((byte)' ' or (byte)'\t')) break;
            }
            var field = message[start..pos];
            var colon = field.IndexOf((byte)':');
            if (colon <= 0) throw new MailException("The message has a header line without a field name; it cannot be DKIM-signed.");
            fields.Add((System.Text.Encoding.ASCII.GetString(field[..colon].TrimEnd(" \t"u8)), start, pos - start));
        }
        return fields;
    }
}
