namespace Newsletter.Mail.Smtp;

/// <summary>The outcome of a message the server accepted for at least one recipient.</summary>
/// <param name="Reply">The reply to the final "." (usually holds the queue id).</param>
/// <param name="AcceptedRecipients">Recipients the server accepted.</param>
/// <param name="RejectedRecipients">Recipients the server refused, with its reply.</param>
public sealed record SmtpSendResult(SmtpReply Reply, IReadOnlyList<string> AcceptedRecipients, IReadOnlyList<SmtpRecipientFailure> RejectedRecipients);
