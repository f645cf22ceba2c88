namespace Newsletter.Mail.Smtp;

/// <summary>The SMTP command a reply answered (RFC 5321 §4.1), as <see cref="SmtpCommandException.Verb"/> names it.</summary>
public enum SmtpCommand
{
    /// <summary>Anything not listed.</summary>
    Other,
    /// <summary>The greeting (RFC 5321 §4.3.1), before any command.</summary>
    Connect,
    Ehlo,
    Helo,
    StartTls,
    Auth,
    Mail,
    Rcpt,
    Data,
    /// <summary>The "." that ends the message data.</summary>
    EndOfData,
    Rset,
    Noop,
    Quit,
}
