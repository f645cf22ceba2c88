using Dapper;
using Microsoft.Extensions.Options;
using Newsletter.Mail.Smtp;
using Newsletter.Subscribers;
using Npgsql;

namespace Newsletter.Sender.Editions;

/// <summary>
/// Stops an edition from burning through the list when the relay rejects everything or is down: after
/// <c>Delivery__PauseAfterConsecutiveFailures</c> failures in a row that are not about one recipient (connection
/// errors, 4xx, 5xx to MAIL or DATA), every sending edition is paused with the reason. A probe every
/// <c>Delivery__ProbeInterval</c> (MAIL FROM our sender, RCPT TO <c>Delivery__ProbeRecipient</c>, RSET: the relay must
/// take mail, not just answer EHLO; a 5xx to the probe address is about that address and passes) resumes the editions it paused once the relay takes mail again, and puts their
/// deferred deliveries back in the queue at once. Editions an admin paused stay paused, and so do editions paused
/// longer than <c>Delivery__MaxStaleness</c> ("stale"): whether readers still get a days-old edition is an admin's call.
/// </summary>
public sealed class RelayHealth(NpgsqlDataSource db, OutboxStore outbox, IMailTransport transport, MessageComposer composer, IOptions<DeliveryOptions> options,
    ILogger<RelayHealth> logger, TimeProvider time)
{
    private readonly Lock gate = new();
    private int consecutiveFailures;
    private string? lastFailure;
    private DateTimeOffset nextProbe;

    /// <summary>Counts one attempt's outcome; returns true when the relay should be considered down now.</summary>
    public bool Record(Outcome outcome)
    {
        lock (gate)
        {
            if (outcome.Kind == OutcomeKind.Sent)
            {
                consecutiveFailures = 0;
                return false;
            }
            // About one recipient or one message, not the relay.
            if (outcome.HardBounce || outcome.Composition || outcome.Kind is OutcomeKind.Skipped or OutcomeKind.Released) return false;
            consecutiveFailures++;
            lastFailure = outcome.Reply;
            return consecutiveFailures >= options.Value.PauseAfterConsecutiveFailures;
        }
    }

    /// <summary>Pauses every sending edition because the relay is failing.</summary>
    public async Task PauseAllAsync(CancellationToken cancellationToken)
    {
        string reason;
        lock (gate)
        {
            reason = $"relay failing: {consecutiveFailures} failures in a row, last: {lastFailure}";
            consecutiveFailures = 0;
        }
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var paused = await EditionTransitions.PauseAllAsync(connection, PauseCause.Relay, reason, cancellationToken);
        if (paused.Length > 0) logger.LogWarning("paused {Count} edition(s): {Reason}", paused.Length, reason);
        nextProbe = time.GetUtcNow() + options.Value.ProbeInterval;
    }

    /// <summary>When editions are auto-paused and a probe is due: probes the relay and resumes them if it answers.</summary>
    public async Task ProbeIfDueAsync(CancellationToken cancellationToken)
    {
        if (time.GetUtcNow() < nextProbe) return;
        nextProbe = time.GetUtcNow() + options.Value.ProbeInterval;
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var stale = await EditionTransitions.MarkStaleAsync(connection, options.Value.MaxStaleness, cancellationToken);
        if (stale.Length > 0) logger.LogWarning("edition(s) {Ids} paused longer than {Max}: they wait for an admin", string.Join(", ", stale), options.Value.MaxStaleness);
        if (!await EditionTransitions.AnyRelayPausedAsync(connection, cancellationToken)) return;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            await transport.ProbeAsync(new SmtpEnvelope(composer.EnvelopeFrom, options.Value.ProbeRecipient), timeout.Token);
        }
        catch (SmtpCommandException e) when (!e.IsTransient && e.Verb == SmtpCommand.Rcpt)
        {
            // A permanent answer about the probe address is about that address: the relay took MAIL and judges
            // recipients, so it takes mail.
            logger.LogInformation("relay probe: the relay refused the probe recipient ({Error}) but takes mail", e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogInformation("relay probe failed ({Error}); editions stay paused", e.Message);
            return;
        }
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var ids = await EditionTransitions.ResumeRelayPausedAsync(connection, tx, cancellationToken);
        // The relay is back: what was deferred while it was down goes now, not after its backoff.
        await PendingDeliveries.DueNowAsync(connection, tx, ids, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        await outbox.RetryDeferredNowAsync(cancellationToken);
        lock (gate) consecutiveFailures = 0;
        logger.LogWarning("relay answers again: resumed edition(s) {Ids}", string.Join(", ", ids));
    }
}
