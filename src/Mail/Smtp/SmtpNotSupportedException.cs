namespace Newsletter.Mail.Smtp;

/// <summary>
/// The message or configuration needs something the server (or the connection) does not offer: SMTPUTF8 for a
/// non-ASCII address, a message over the SIZE limit, STARTTLS when required, an AUTH mechanism, or encryption
/// before credentials are sent. Permanent.
/// </summary>
public sealed class SmtpNotSupportedException : MailException
{
    /// <summary>Creates the exception.</summary>
    public SmtpNotSupportedException() { }

    /// <summary>Creates the exception.</summary>
    public SmtpNotSupportedException(string message) : base(message) { }

    /// <summary>Creates the exception.</summary>
    public SmtpNotSupportedException(string message, Exception? innerException) : base(message, innerException) { }
}
