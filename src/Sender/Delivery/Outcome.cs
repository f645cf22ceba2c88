using Newsletter.Mail;
using Newsletter.Mail.Smtp;

namespace Newsletter.Sender.Delivery;

public enum OutcomeKind
{
    Sent,
    Deferred,
    Failed,
    Skipped,
}

/// <summary>What happened to one attempt; <see cref="HardBounce"/> marks a 5xx on the recipient.</summary>
public readonly record struct Outcome(OutcomeKind Kind, string Reply, bool HardBounce = false)
{
    /// <summary>
    /// Maps a send failure: 4xx, a dropped connection or a timeout is transient (deferred and retried);
    /// 5xx is permanent, and a 5xx to RCPT is a hard bounce (RFC 5321 §4.2.1, §4.2.5).
    /// </summary>
    public static Outcome FromException(Exception e) => e switch
    {
        SmtpCommandException c when c.IsTransient => new Outcome(OutcomeKind.Deferred, Describe(c)),
        SmtpCommandException c => new Outcome(OutcomeKind.Failed, Describe(c),
            HardBounce: c.Command.StartsWith("RCPT", StringComparison.OrdinalIgnoreCase)),
        SmtpConnectionException or IOException or TimeoutException or OperationCanceledException
            => new Outcome(OutcomeKind.Deferred, "connection: " + e.Message),
        AddressFormatException => new Outcome(OutcomeKind.Failed, "address: " + e.Message),
        MailException => new Outcome(OutcomeKind.Failed, e.Message),
        _ => new Outcome(OutcomeKind.Deferred, e.GetType().Name + ": " + e.Message),
    };

    private static string Describe(SmtpCommandException c)
        => $"{c.StatusCode} {c.EnhancedStatusCode} {c.ServerText} (after {c.Command})".Replace("  ", " ", StringComparison.Ordinal);
}
