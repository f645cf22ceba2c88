namespace Newsletter.Mail.Smtp;

/// <summary>The SMTP envelope (RFC 5321 §2.3.1): reverse-path and forward-paths as bare addresses (no angle brackets).</summary>
/// <param name="MailFrom">The bounce address; empty for the null reverse-path "&lt;&gt;".</param>
/// <param name="Recipients">At least one recipient address.</param>
public sealed record SmtpEnvelope(string MailFrom, IReadOnlyList<string> Recipients)
{
    /// <summary>Envelope with a single recipient.</summary>
    public SmtpEnvelope(string mailFrom, string recipient) : this(mailFrom, [recipient]) { }

    internal bool Validate()
    {
        ArgumentNullException.ThrowIfNull(MailFrom, nameof(MailFrom));
        ArgumentNullException.ThrowIfNull(Recipients, nameof(Recipients));
        if (Recipients.Count == 0) throw new ArgumentException("The envelope has no recipients.", nameof(Recipients));
        var utf8 = Check(MailFrom, true);
        foreach (var r in Recipients) utf8 |= Check(r, false);
        return utf8;
    }

    private static bool Check(string address, bool mayBeEmpty)
    {
        if (address is null) throw new ArgumentException("An envelope address is null.", nameof(address));
        if (address.Length == 0)
        {
            if (mayBeEmpty) return false;
            throw new ArgumentException("An envelope recipient is empty.", nameof(address));
        }
        var nonAscii = false;
        foreach (var c in address)
        {
            if (c <= ' ' || c == 0x7F || c is '<' or '>') throw new ArgumentException($"The envelope address '{address.Replace("\r", "\\r").Replace("\n", "\\n")}' contains white space, a control character or an angle bracket.", nameof(address));
            if (c > 0x7F) nonAscii = true;
        }
        if (!address.Contains('@')) throw new ArgumentException($"The envelope address '{address}' has no '@'.", nameof(address));
        // Any non-ASCII octet (local part, or a U-label domain: pass EmailAddress.ToString() for A-labels) needs SMTPUTF8 (RFC 6531).
        return nonAscii;
    }
}
