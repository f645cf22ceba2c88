using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using Newsletter.Mail.Encoding;

namespace Newsletter.Mail.Mime;

/// <summary>
/// An RFC 5322 message with a text/plain and/or text/html body (multipart/alternative when both, RFC 2046 §5.1.4),
/// written as UTF-8 with the transfer encoding chosen from the content (7bit, quoted-printable or base64, RFC 2045 §6).
/// </summary>
public sealed class EmailMessage
{
    private string _subject = "";
    private string? _messageId;
    private string? _boundary;

    /// <summary>The author (RFC 5322 §3.6.2).</summary>
    public required Mailbox From { get; set; }

    /// <summary>Recipients shown in the To field.</summary>
    public List<Mailbox> To { get; } = [];

    /// <summary>The subject; any Unicode text without CR/LF.</summary>
    /// <exception cref="ArgumentException">Set to a value containing CR, LF or control characters.</exception>
    public string Subject
    {
        get => _subject;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            HeaderList.ValidateValue("Subject", value);
            _subject = value;
        }
    }

    /// <summary>The origination date (RFC 5322 §3.6.1); defaults to the time of construction.</summary>
    public DateTimeOffset Date { get; set; } = DateTimeOffset.UtcNow;

    /// <summary>The Message-ID without angle brackets (RFC 5322 §3.6.4); generated from a random value and the From domain when not set.</summary>
    /// <exception cref="ArgumentException">Set to a value with angle brackets, white space, control or non-ASCII characters, or without '@'.</exception>
    public string MessageId
    {
        get => _messageId ??= Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)) + "@" + From.Address.Domain;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            foreach (var c in value)
            {
                if (c <= ' ' || c > '~' || c is '<' or '>') throw new ArgumentException($"Message-ID contains the invalid character U+{(int)c:X4}.", nameof(value));
            }
            if (!value.Contains('@')) throw new ArgumentException("Message-ID must have the form left@right.", nameof(value));
            _messageId = value;
        }
    }

    /// <summary>The multipart boundary; generated randomly when not set. Setting it makes output reproducible.</summary>
    /// <exception cref="ArgumentException">Not 1-70 characters of the RFC 2046 §5.1.1 bcharsnospace set.</exception>
    public string Boundary
    {
        get => _boundary ??= "=_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            if (value.Length is 0 or > 70) throw new ArgumentException("A boundary has 1 to 70 characters (RFC 2046 §5.1.1).", nameof(value));
            foreach (var c in value)
            {
                if (!(char.IsAsciiLetterOrDigit(c) || "'()+_,-./:=?".Contains(c))) throw new ArgumentException($"The boundary contains '{c}' (RFC 2046 §5.1.1).", nameof(value));
            }
            _boundary = value;
        }
    }

    /// <summary>Extra header fields.</summary>
    public HeaderList Headers { get; } = new();

    /// <summary>The text/plain body, or null.</summary>
    public string? TextBody { get; set; }

    /// <summary>The text/html body, or null.</summary>
    public string? HtmlBody { get; set; }

    /// <summary>The whole message, CRLF line endings.</summary>
    /// <exception cref="ArgumentException">A display name contains CR/LF.</exception>
    public byte[] ToArray()
    {
        var buffer = new ArrayBufferWriter<byte>(4096 + 2 * ((TextBody?.Length ?? 0) + (HtmlBody?.Length ?? 0)));
        WriteTo(buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes the whole message, CRLF line endings.</summary>
    /// <exception cref="ArgumentException">A display name contains CR/LF.</exception>
    public void WriteTo(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        foreach (var h in BuildHeaders(To)) output.Write(h.FormatBytes());
        var boundary = Boundary;
        if (TextBody is not null && HtmlBody is not null)
        {
            TextPart.Append(output, MultipartHeader(boundary));
            output.Write("\r\n"u8);
            TextPart.Append(output, "--" + boundary + "\r\n");
            TextPart.WriteBody(TextBody, false, output);
            TextPart.Append(output, "\r\n--" + boundary + "\r\n");
            TextPart.WriteBody(HtmlBody, true, output);
            TextPart.Append(output, "\r\n--" + boundary + "--\r\n");
        }
        else
        {
            if (!TextPart.WriteBody(HtmlBody ?? TextBody ?? "", HtmlBody is not null, output)) output.Write("\r\n"u8);
        }
    }

    internal static string MultipartHeader(string boundary) => "Content-Type: multipart/alternative;\r\n boundary=\"" + boundary + "\"\r\n";

    internal List<HeaderSpec> BuildHeaders(IReadOnlyList<Mailbox> to)
    {
        var list = new List<HeaderSpec>(8 + Headers.Count)
        {
            new("Date", HeaderKind.Structured, FormatDate(Date)),
            new("From", HeaderKind.Mailboxes, null, [From]),
        };
        if (to.Count > 0) list.Add(new("To", HeaderKind.Mailboxes, null, to));
        list.Add(new("Subject", HeaderKind.Unstructured, Subject));
        list.Add(new("Message-ID", HeaderKind.Structured, "<" + MessageId + ">"));
        list.Add(new("MIME-Version", HeaderKind.Structured, "1.0"));
        foreach (var kv in Headers)
        {
            var ascii = true;
            foreach (var c in kv.Value) { if (c > 0x7E) { ascii = false; break; } }
            list.Add(new(kv.Key, ascii ? HeaderKind.Structured : HeaderKind.Unstructured, kv.Value));
        }
        return list;
    }

    /// <summary>RFC 5322 §3.3 date-time, e.g. "Sun, 22 Nov 2026 03:11:42 +0000".</summary>
    internal static string FormatDate(DateTimeOffset date)
    {
        var offset = date.Offset;
        var sign = offset < TimeSpan.Zero ? '-' : '+';
        offset = offset.Duration();
        return date.ToString("ddd, dd MMM yyyy HH':'mm':'ss ", CultureInfo.InvariantCulture) + sign + offset.Hours.ToString("00", CultureInfo.InvariantCulture) + offset.Minutes.ToString("00", CultureInfo.InvariantCulture);
    }
}
