using System.Buffers;
using System.Text;
using Newsletter.Mail.Encoding;

namespace Newsletter.Mail.Mime;

/// <summary>Writes one text/* body part: chooses its transfer encoding from the content, writes its headers and the encoded body.</summary>
internal static class TextPart
{
    public static readonly byte[] PlainHeader = "Content-Type: text/plain; charset=utf-8\r\n"u8.ToArray();
    public static readonly byte[] HtmlHeader = "Content-Type: text/html; charset=utf-8\r\n"u8.ToArray();

    public static byte[] EncodingHeader(ContentTransferEncoding encoding) => encoding switch
    {
        ContentTransferEncoding.SevenBit => "Content-Transfer-Encoding: 7bit\r\n"u8.ToArray(),
        ContentTransferEncoding.QuotedPrintable => "Content-Transfer-Encoding: quoted-printable\r\n"u8.ToArray(),
        _ => "Content-Transfer-Encoding: base64\r\n"u8.ToArray(),
    };

    public static void Write(IBufferWriter<byte> output, ReadOnlySpan<byte> header, ContentTransferEncoding encoding)
    {
        output.Write(header);
        output.Write(EncodingHeader(encoding));
    }

    /// <summary>Writes the part; returns true when the output ends with a line break.</summary>
    public static bool WriteBody(string text, bool html, IBufferWriter<byte> output)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        var encoding = TextStats.Of(bytes).Choose();
        Write(output, html ? HtmlHeader : PlainHeader, encoding);
        output.Write("\r\n"u8);
        var state = default(TextEncoderState);
        BodyEncoder.Encode(encoding, ref state, bytes, output);
        BodyEncoder.Complete(encoding, ref state, output);
        return EndsWithBreak(encoding, bytes);
    }

    public static bool EndsWithBreak(ContentTransferEncoding encoding, ReadOnlySpan<byte> lastInput) =>
        encoding != ContentTransferEncoding.Base64 && lastInput.Length > 0 && lastInput[^1] is (byte)'\r' or (byte)'\n';

    public static void Append(IBufferWriter<byte> output, string s) => output.Write(System.Text.Encoding.UTF8.GetBytes(s));

    public static string HtmlEscape(string value)
    {
        if (value.AsSpan().IndexOfAny("&<>\"'") < 0) return value;
        var sb = new StringBuilder(value.Length + 16);
        foreach (var c in value)
        {
            sb.Append(c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                _ => null,
            } ?? c.ToString());
        }
        return sb.ToString();
    }
}
