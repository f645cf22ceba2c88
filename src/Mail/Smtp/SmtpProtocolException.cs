namespace Newsletter.Mail.Smtp;

/// <summary>The server sent something that is not a valid reply (RFC 5321 §4.2). The connection is discarded; treated as transient.</summary>
public sealed class SmtpProtocolException : MailException
{
    /// <summary>Creates the exception.</summary>
    public SmtpProtocolException() { }

    /// <summary>Creates the exception.</summary>
    public SmtpProtocolException(string message) : base(message) { }

    /// <summary>Creates the exception.</summary>
    public SmtpProtocolException(string message, Exception? innerException) : base(message, innerException) { }

    /// <summary>True: another connection or server may behave.</summary>
    public override bool IsTransient => true;
}
