namespace Newsletter.Mail.Smtp;

/// <summary>A recipient the server refused at RCPT TO.</summary>
/// <param name="Recipient">The address.</param>
/// <param name="Reply">The server's reply.</param>
public sealed record SmtpRecipientFailure(string Recipient, SmtpReply Reply)
{
    /// <summary>True for 4xx (try again later).</summary>
    public bool IsTransient => Reply.IsTransientNegative;
}
