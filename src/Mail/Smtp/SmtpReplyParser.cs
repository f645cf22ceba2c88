namespace Newsletter.Mail.Smtp;

/// <summary>Strict reply parsing (RFC 5321 §4.2): every line is three digits, then '-' (more lines follow), ' ' or the end of line; all lines carry the same code.</summary>
internal static class SmtpReplyParser
{
    public const int MaxLineLength = 4096;

    /// <summary>Parses one complete reply at the start of <paramref name="buffer"/>; false when more input is needed.</summary>
    /// <exception cref="SmtpProtocolException">The input is not a valid reply.</exception>
    public static bool TryParse(ReadOnlySpan<byte> buffer, out SmtpReply? reply, out int consumed)
    {
        reply = null;
        consumed = 0;
        var code = -1;
        List<string>? lines = null;
        var pos = 0;
        while (true)
        {
            var rest = buffer[pos..];
            var lf = rest.IndexOf((byte)'\n');
            if (lf < 0)
            {
                if (rest.Length > MaxLineLength) throw new SmtpProtocolException($"Reply line longer than {MaxLineLength} octets.");
                return false;
            }
            var line = rest[..lf];
            if (line.Length > 0 && line[^1] == (byte)'\r') line = line[..^1];
            if (line.Length < 3 || !IsDigit(line[0], '2', '5') || !IsDigit(line[1], '0', '9') || !IsDigit(line[2], '0', '9'))
            {
                throw new SmtpProtocolException($"Malformed reply line \"{Show(line)}\": it must start with a three-digit code 200-599.");
            }
            var lineCode = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
            if (code >= 0 && lineCode != code) throw new SmtpProtocolException($"Reply line \"{Show(line)}\" has code {lineCode}, the previous lines {code}.");
            code = lineCode;
            var more = false;
            if (line.Length > 3)
            {
                if (line[3] == (byte)'-') more = true;
                else if (line[3] != (byte)' ') throw new SmtpProtocolException($"Malformed reply line \"{Show(line)}\": the code must be followed by ' ' or '-'.");
            }
            (lines ??= []).Add(line.Length > 4 ? System.Text.Encoding.UTF8.GetString(line[4..]) : "");
            pos += lf + 1;
            if (!more)
            {
                consumed = pos;
                reply = new SmtpReply(code, lines);
                return true;
            }
        }
    }

    private static bool IsDigit(byte b, char lo, char hi) => b >= lo && b <= hi;

    private static string Show(ReadOnlySpan<byte> line)
    {
        var s = System.Text.Encoding.ASCII.GetString(line.Length > 80 ? line[..80] : line);
        return new string(s.Select(c => c < ' ' || c > '~' ? '?' : c).ToArray());
    }
}
