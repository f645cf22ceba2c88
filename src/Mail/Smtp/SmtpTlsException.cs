namespace Newsletter.Mail.Smtp;

/// <summary>The TLS handshake failed, usually because the server certificate is not valid for the host. Permanent until the configuration changes.</summary>
public sealed class SmtpTlsException : MailException
{
    /// <summary>Creates the exception.</summary>
    public SmtpTlsException() { }

    /// <summary>Creates the exception.</summary>
    public SmtpTlsException(string message) : base(message) { }

    /// <summary>Creates the exception.</summary>
    public SmtpTlsException(string message, Exception? innerException) : base(message, innerException) { }
}
