namespace Newsletter.Mail;

/// <summary>Base class of every exception thrown by the mail library.</summary>
public class MailException : Exception
{
    /// <summary>Creates an exception with a message.</summary>
    public MailException() { }

    /// <summary>Creates an exception with a message.</summary>
    public MailException(string message) : base(message) { }

    /// <summary>Creates an exception with a message and the exception that caused it.</summary>
    public MailException(string message, Exception? innerException) : base(message, innerException) { }

    /// <summary>True when retrying the same operation later may succeed (4xx replies, broken connections, timeouts).</summary>
    public virtual bool IsTransient => false;
}
