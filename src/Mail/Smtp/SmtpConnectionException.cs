namespace Newsletter.Mail.Smtp;

/// <summary>The connection failed, broke or timed out. Always transient; the connection is discarded.</summary>
public sealed class SmtpConnectionException : MailException
{
    /// <summary>Creates the exception.</summary>
    public SmtpConnectionException() { }

    /// <summary>Creates the exception.</summary>
    public SmtpConnectionException(string message) : base(message) { }

    /// <summary>Creates the exception.</summary>
    public SmtpConnectionException(string message, Exception? innerException) : base(message, innerException) { }

    /// <summary>True when the failure was a timeout.</summary>
    public bool IsTimeout { get; init; }

    /// <summary>Always true.</summary>
    public override bool IsTransient => true;
}
