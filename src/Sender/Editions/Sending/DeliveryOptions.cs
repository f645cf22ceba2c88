using System.ComponentModel.DataAnnotations;

namespace Newsletter.Sender.Editions;

/// <summary>The delivery engine.</summary>
public sealed class DeliveryOptions
{
    public const string Section = "Delivery";

    public TimeSpan RetryWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>First retry delay of a deferred delivery; each further one doubles (at most 60×), with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMinutes(1);
    [Range(1, 10_000)] public int BatchSize { get; set; } = 200;

    /// <summary>Concurrent claim/send/record loops per instance; they share the SMTP connections.</summary>
    [Range(1, 64)] public int Workers { get; set; } = 4;

    /// <summary>How long a claimed delivery may stay sending before another worker takes it back.</summary>
    public TimeSpan ClaimLease { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Failures in a row, not about one recipient, after which sending editions pause (the relay is failing).</summary>
    [Range(1, 1_000_000)] public int PauseAfterConsecutiveFailures { get; set; } = 100;

    /// <summary>How often a failing relay is probed to resume the editions it paused.</summary>
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often an idle worker looks for work.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a stop (SIGTERM) waits for the messages in flight and their outcomes (the host's ShutdownTimeout): sends
    /// still running after two thirds of it are abandoned (retried later), the outcomes get the rest.
    /// </summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The address the relay probe offers in RCPT TO (then RSET: nothing is sent).</summary>
    public string ProbeRecipient { get; set; } = "postmaster@example.com";

    /// <summary>An edition paused longer than this does not resume by itself: it waits, as "stale", for an admin.</summary>
    public TimeSpan MaxStaleness { get; set; } = TimeSpan.FromHours(48);

    /// <summary>Deliveries queued by the transaction that starts an edition; sending starts as soon as it commits.</summary>
    [Range(1, 10_000_000)] public int FirstQueueChunk { get; set; } = 5_000;

    /// <summary>Deliveries queued per further transaction until every confirmed subscriber has one.</summary>
    [Range(1, 10_000_000)] public int QueueChunk { get; set; } = 50_000;
}
