using System.Buffers;

namespace Newsletter.Mail.Encoding;

/// <summary>
/// Streaming, stateful encoders for text bodies. Input is UTF-8 text whose line breaks may be CRLF, CR or LF;
/// output uses CRLF only (RFC 5322 §2.3). Output never ends with a line break of its own: the caller writes the
/// CRLF that precedes the next boundary (RFC 2046 §5.1.1).
/// </summary>
internal static class BodyEncoder
{
    private const int QpMaxContent = 75; // RFC 2045 §6.7 rule 5: 76 including the soft-break '='
    private const int Base64LineInput = 57; // 76 output characters
    private static readonly byte[] Hex = "0123456789ABCDEF"u8.ToArray();

    public static void Encode(ContentTransferEncoding encoding, ref TextEncoderState state, ReadOnlySpan<byte> input, IBufferWriter<byte> output)
    {
        const int chunk = 4096;
        while (input.Length > 0)
        {
            var part = input.Length > chunk ? input[..chunk] : input;
            switch (encoding)
            {
                case ContentTransferEncoding.SevenBit: EncodeSevenBit(ref state, part, output); break;
                case ContentTransferEncoding.QuotedPrintable: EncodeQuotedPrintable(ref state, part, output); break;
                default: EncodeBase64(ref state, part, output); break;
            }
            input = input[part.Length..];
        }
    }

    /// <summary>Writes what the state still holds (QP white space, base64 partial group).</summary>
    public static void Complete(ContentTransferEncoding encoding, ref TextEncoderState state, IBufferWriter<byte> output)
    {
        if (encoding == ContentTransferEncoding.QuotedPrintable && state.PendingWhiteSpace != 0)
        {
            var span = output.GetSpan(6);
            var n = 0;
            if (state.Column + 3 > QpMaxContent) { span[n++] = (byte)'='; span[n++] = (byte)'\r'; span[n++] = (byte)'\n'; state.Column = 0; }
            span[n++] = (byte)'=';
            span[n++] = Hex[state.PendingWhiteSpace >> 4];
            span[n++] = Hex[state.PendingWhiteSpace & 0xF];
            state.Column += 3;
            state.PendingWhiteSpace = 0;
            output.Advance(n);
        }
        else if (encoding == ContentTransferEncoding.Base64 && state.GroupCount > 0)
        {
            var span = output.GetSpan(6);
            var n = 0;
            if (state.Column >= 76) { span[n++] = (byte)'\r'; span[n++] = (byte)'\n'; state.Column = 0; }
            Span<byte> group = [state.Group0, state.Group1];
            System.Buffers.Text.Base64.EncodeToUtf8(group[..state.GroupCount], span[n..], out _, out var written);
            n += written;
            state.Column += 4;
            state.GroupCount = 0;
            output.Advance(n);
        }
    }

    /// <summary>
    /// Index after the first line break that leaves the encoder in a state independent of the state it started in,
    /// or -1. After that index, encoding output depends only on the input (used to pre-encode template text once).
    /// </summary>
    public static int FindResetPoint(ReadOnlySpan<byte> input)
    {
        for (var i = 0; i < input.Length; i++)
        {
            if (input[i] == (byte)'\r' || (input[i] == (byte)'\n' && i >= 1)) return i + 1;
        }
        return -1;
    }

    /// <summary>The state right after the line break at <c>index - 1</c> found by <see cref="FindResetPoint"/>.</summary>
    public static TextEncoderState StateAfterBreak(byte lastBreakOctet) => new() { LastWasCR = lastBreakOctet == (byte)'\r', StartedLine = false };

    private static void EncodeSevenBit(ref TextEncoderState state, ReadOnlySpan<byte> input, IBufferWriter<byte> output)
    {
        var span = output.GetSpan(input.Length * 2 + 2);
        var n = 0;
        foreach (var b in input)
        {
            if (b == (byte)'\r')
            {
                span[n++] = (byte)'\r'; span[n++] = (byte)'\n';
                state.LastWasCR = true;
                state.Column = 0;
                continue;
            }
            if (b == (byte)'\n')
            {
                if (!state.LastWasCR) { span[n++] = (byte)'\r'; span[n++] = (byte)'\n'; state.Column = 0; }
                state.LastWasCR = false;
                continue;
            }
            state.LastWasCR = false;
            span[n++] = b;
            state.Column++;
        }
        output.Advance(n);
    }

    private static void EncodeQuotedPrintable(ref TextEncoderState state, ReadOnlySpan<byte> input, IBufferWriter<byte> output)
    {
        // Worst case per input octet: held white space "=20" + soft break + "=XX" + soft break.
        var span = output.GetSpan(input.Length * 12 + 16);
        var n = 0;
        var col = state.Column;
        var pending = state.PendingWhiteSpace;
        var lastCR = state.LastWasCR;
        foreach (var b in input)
        {
            if (b is (byte)'\r' or (byte)'\n')
            {
                if (b == (byte)'\n' && lastCR) { lastCR = false; continue; }
                lastCR = b == (byte)'\r';
                if (pending != 0)
                {
                    // RFC 2045 §6.7 rule 3: white space at the end of an encoded line must be encoded.
                    if (col + 3 > QpMaxContent) { span[n++] = (byte)'='; span[n++] = (byte)'\r'; span[n++] = (byte)'\n'; }
                    span[n++] = (byte)'='; span[n++] = Hex[pending >> 4]; span[n++] = Hex[pending & 0xF];
                    pending = 0;
                }
                span[n++] = (byte)'\r'; span[n++] = (byte)'\n';
                col = 0;
                continue;
            }
            lastCR = false;
            if (pending != 0)
            {
                if (col + 1 > QpMaxContent) { span[n++] = (byte)'='; span[n++] = (byte)'\r'; span[n++] = (byte)'\n'; col = 0; }
                span[n++] = pending;
                col++;
                pending = 0;
            }
            if (b is (byte)' ' or (byte)'\t')
            {
                pending = b;
                continue;
            }
            // Literal: printable ASCII except '='; '.' at a line start is encoded too so the line survives
            // naive transports (RFC 2049 §3 item 8 suggests it for robustness).
            var literal = b is >= 33 and <= 126 && b != (byte)'=' && !(b == (byte)'.' && col == 0);
            var width = literal ? 1 : 3;
            if (col + width > QpMaxContent) { span[n++] = (byte)'='; span[n++] = (byte)'\r'; span[n++] = (byte)'\n'; col = 0; }
            if (literal)
            {
                span[n++] = b;
            }
            else
            {
                span[n++] = (byte)'='; span[n++] = Hex[b >> 4]; span[n++] = Hex[b & 0xF];
            }
            col += width;
        }
        state.Column = col;
        state.PendingWhiteSpace = pending;
        state.LastWasCR = lastCR;
        output.Advance(n);
    }

    private static void EncodeBase64(ref TextEncoderState state, ReadOnlySpan<byte> input, IBufferWriter<byte> output)
    {
        // Normalise line breaks into a scratch buffer first, then encode whole groups.
        var scratch = ArrayPool<byte>.Shared.Rent(input.Length * 2 + 2);
        try
        {
            var m = 0;
            if (state.GroupCount > 0) scratch[m++] = state.Group0;
            if (state.GroupCount > 1) scratch[m++] = state.Group1;
            var lastCR = state.LastWasCR;
            foreach (var b in input)
            {
                if (b == (byte)'\r') { scratch[m++] = (byte)'\r'; scratch[m++] = (byte)'\n'; lastCR = true; continue; }
                if (b == (byte)'\n')
                {
                    if (!lastCR) { scratch[m++] = (byte)'\r'; scratch[m++] = (byte)'\n'; }
                    lastCR = false;
                    continue;
                }
                lastCR = false;
                scratch[m++] = b;
            }
            state.LastWasCR = lastCR;
            var whole = m - m % 3;
            var span = output.GetSpan(whole / 3 * 4 + (whole / Base64LineInput + 2) * 2 + 8);
            var n = 0;
            var col = state.Column;
            var i = 0;
            while (i < whole)
            {
                if (col >= 76) { span[n++] = (byte)'\r'; span[n++] = (byte)'\n'; col = 0; }
                var take = Math.Min((76 - col) / 4 * 3, whole - i);
                System.Buffers.Text.Base64.EncodeToUtf8(scratch.AsSpan(i, take), span[n..], out _, out var written);
                n += written;
                col += written;
                i += take;
            }
            state.Column = col;
            state.GroupCount = m - whole;
            if (state.GroupCount > 0) state.Group0 = scratch[whole];
            if (state.GroupCount > 1) state.Group1 = scratch[whole + 1];
            output.Advance(n);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }
}
