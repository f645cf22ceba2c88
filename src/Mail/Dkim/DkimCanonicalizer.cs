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
        if (end == 0) return SHA256.HashData(ReadOnlySpan<byte>.Empty); // empty body: hash of nothing
        var content = body[..end];
        // The canonical body is built in one pooled buffer and hashed in one call: a body of 40 KB with a few hundred
        // indented lines would otherwise cost a few hundred hash updates (each a call into OpenSSL).
        var buffer = ArrayPool<byte>.Shared.Rent(content.Length + 2);
        try
        {
            var n = Canonicalize(content, buffer);
            buffer[n++] = (byte)'\r';
            buffer[n++] = (byte)'\n';
            return SHA256.HashData(buffer.AsSpan(0, n));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Writes <paramref name="content"/> with every run of WSP reduced to one SP and WSP before a CRLF removed; returns
    /// the length written (never more than the input). Only the places that change are visited: the next tab, the
    /// next two spaces and the next space before a CRLF are each searched for (vectorized), and the text between them
    /// is copied as it is.
    /// </summary>
    internal static int Canonicalize(ReadOnlySpan<byte> content, Span<byte> output)
    {
        var n = 0;
        var pos = 0;
        int tab = -2, doubleSpace = -2, spaceCrlf = -2; // next occurrence at or after pos; -1: none; -2: not searched yet
        while (true)
        {
            tab = NextAt(content, pos, tab, "\t"u8);
            doubleSpace = NextAt(content, pos, doubleSpace, "  "u8);
            spaceCrlf = NextAt(content, pos, spaceCrlf, " \r\n"u8);
            var next = Min(Min(tab, doubleSpace), spaceCrlf);
            if (next < 0) break;
            // The run of WSP that holds this place: it may start before it (a space before a tab).
            var runStart = next;
            while (runStart > pos && content[runStart - 1] is (byte)' ' or (byte)'\t') runStart--;
            var rel = content[next..].IndexOfAnyExcept(" \t"u8);
            var runEnd = rel < 0 ? content.Length : next + rel;
            content[pos..runStart].CopyTo(output[n..]);
            n += runStart - pos;
            // WSP at the end of a line goes; WSP inside a line becomes one SP.
            if (runEnd < content.Length && !content[runEnd..].StartsWith("\r\n"u8)) output[n++] = (byte)' ';
            pos = runEnd;
        }
        content[pos..].CopyTo(output[n..]);
        return n + content.Length - pos;

        static int NextAt(ReadOnlySpan<byte> content, int pos, int known, ReadOnlySpan<byte> pattern)
        {
            if (known == -1 || known >= pos) return known;
            var rel = content[pos..].IndexOf(pattern);
            return rel < 0 ? -1 : pos + rel;
        }

        static int Min(int a, int b) => a < 0 ? b : b < 0 ? a : Math.Min(a, b);
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
