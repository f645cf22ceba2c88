using Newsletter.Mail;
using Newsletter.Mail.Smtp;
using Newsletter.Subscribers;

namespace Newsletter.Sender.Editions;

/// <summary>
/// What happened to one attempt. <see cref="Bounce"/> says what a failure means for the subscriber:
/// <see cref="BounceKind.FailedHard"/> for a 5xx to RCPT, <see cref="BounceKind.FailedSoft"/> for a recipient whose
/// RCPT was deferred until the retry window ran out, <see cref="BounceKind.None"/> otherwise: relay-wide failures
/// (connection errors, replies to MAIL or DATA, timeouts) never count against a subscriber.
/// </summary>
public readonly record struct Outcome(OutcomeKind Kind, string Reply, BounceKind Bounce = BounceKind.None)
{
    /// <summary>The reply was about this recipient (to its RCPT), not about the relay or the message.</summary>
    public bool AboutRecipient { get; init; }

    /// <summary>The message could not be built (our content, not the relay): never counts as a relay failure.</summary>
    public bool Composition { get; init; }

    /// <summary>A 5xx on the recipient: about this address, not the relay.</summary>
    public bool HardBounce => Kind == OutcomeKind.Failed && Bounce == BounceKind.FailedHard;

    /// <summary>
    /// Maps a send failure: 4xx, a dropped connection or a timeout is transient (deferred and retried);
    /// 5xx is permanent, and a 5xx to RCPT is a hard bounce (RFC 5321 §4.2.1, §4.2.5).
    /// </summary>
    public static Outcome FromException(Exception e) => e switch
    {
        SmtpCommandException c when c.IsTransient => new Outcome(OutcomeKind.Deferred, Describe(c)) { AboutRecipient = IsRcpt(c) },
        SmtpCommandException c => new Outcome(OutcomeKind.Failed, Describe(c), IsRcpt(c) ? BounceKind.FailedHard : BounceKind.None)
        {
            AboutRecipient = IsRcpt(c),
        },
        SmtpConnectionException or IOException or TimeoutException or OperationCanceledException
            => new Outcome(OutcomeKind.Deferred, "connection: " + e.Message),
        AddressFormatException => new Outcome(OutcomeKind.Failed, "address: " + e.Message),
        MailException => new Outcome(OutcomeKind.Failed, e.Message),
        _ => new Outcome(OutcomeKind.Deferred, e.GetType().Name + ": " + e.Message),
    };

    private static bool IsRcpt(SmtpCommandException c) => c.Verb == SmtpCommand.Rcpt;

    private static string Describe(SmtpCommandException c)
        => $"{c.StatusCode} {c.EnhancedStatusCode} {c.ServerText} (after {c.Command})".Replace("  ", " ", StringComparison.Ordinal);
}
