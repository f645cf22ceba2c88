using Newsletter.Mail.Smtp;

namespace Newsletter.Sender.Editions;

/// <summary>Where composed messages go: an SMTP relay, or a pickup directory of .eml files.</summary>
public interface IMailTransport
{
    /// <summary>Hands one message over. Returns the server's reply text when accepted.</summary>
    /// <exception cref="SmtpCommandException">the server refused (4xx transient, 5xx permanent).</exception>
    /// <exception cref="SmtpConnectionException">the connection broke or timed out (transient).</exception>
    Task<string> SendAsync(SmtpEnvelope envelope, ReadOnlyMemory<byte> message, CancellationToken cancellationToken);

    /// <summary>
    /// Whether the transport takes mail now (used to resume an edition paused for a failing relay): connects and offers
    /// <paramref name="envelope"/> (MAIL FROM, RCPT TO, then RSET; nothing is sent).
    /// </summary>
    Task ProbeAsync(SmtpEnvelope envelope, CancellationToken cancellationToken);

    /// <summary>
    /// The name of the relay that answered a send (from its reply, or from the exception it threw) for the metrics' relay
    /// label; one cached string per relay, never built per message.
    /// </summary>
    string RelayOf(string? reply, Exception? failure) => "pickup";

    /// <summary>How many messages may usefully be in flight at once.</summary>
    int Concurrency { get; }
}
