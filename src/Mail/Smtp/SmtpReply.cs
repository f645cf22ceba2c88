namespace Newsletter.Mail.Smtp;

/// <summary>A server reply (RFC 5321 §4.2): three-digit code, optional enhanced status code (RFC 3463), text lines.</summary>
public sealed class SmtpReply
{
    /// <summary>Creates a reply (the client parses them; public so callers can fake server failures in their tests).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="code"/> is not 200-599.</exception>
    public SmtpReply(int code, IReadOnlyList<string> lines)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(code, 200);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(code, 599);
        ArgumentNullException.ThrowIfNull(lines);
        Code = code;
        Lines = lines;
        EnhancedStatusCode = ParseEnhanced(code, lines.Count > 0 ? lines[0] : "");
    }

    /// <summary>The reply code, 200-599.</summary>
    public int Code { get; }

    /// <summary>The enhanced status code such as "5.1.1" (RFC 3463) when the first line starts with one whose class matches.</summary>
    public string? EnhancedStatusCode { get; }

    /// <summary>The text of each line, without code and separator.</summary>
    public IReadOnlyList<string> Lines { get; }

    /// <summary>All lines joined by a space.</summary>
    public string Text => string.Join(' ', Lines);

    /// <summary>2xx.</summary>
    public bool IsPositive => Code is >= 200 and < 300;

    /// <summary>4xx: try again later (RFC 5321 §4.2.1).</summary>
    public bool IsTransientNegative => Code is >= 400 and < 500;

    /// <summary>5xx: do not retry as is.</summary>
    public bool IsPermanentNegative => Code >= 500;

    /// <summary>"250 2.0.0 Ok".</summary>
    public override string ToString() => Code + " " + Text;

    private static string? ParseEnhanced(int code, string text)
    {
        // RFC 3463 §2: class "." subject "." detail, subject and detail 1-3 digits.
        var cls = code / 100;
        if (text.Length < 5 || text[0] - '0' != cls || text[1] != '.') return null;
        var i = 2;
        var n = 0;
        while (i < text.Length && char.IsAsciiDigit(text[i]) && n < 4) { i++; n++; }
        if (n is 0 or > 3 || i >= text.Length || text[i] != '.') return null;
        i++;
        n = 0;
        while (i < text.Length && char.IsAsciiDigit(text[i]) && n < 4) { i++; n++; }
        if (n is 0 or > 3 || (i < text.Length && text[i] != ' ')) return null;
        return text[..i];
    }
}
