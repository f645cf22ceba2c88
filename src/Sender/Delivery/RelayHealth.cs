using Dapper;
using Microsoft.Extensions.Options;
using Newsletter.Sender.Configuration;
using Npgsql;

namespace Newsletter.Sender.Delivery;

/// <summary>
/// Stops an edition from burning through the list when the relay rejects everything or is down: after
/// <c>Delivery__PauseAfterConsecutiveFailures</c> failures in a row that are not about one recipient (connection
/// errors, 4xx, 5xx to MAIL or DATA), every sending edition is paused with the reason. A probe (connect, EHLO,
/// QUIT) every <c>Delivery__ProbeInterval</c> resumes the editions it paused once the relay answers again, and puts
/// their deferred deliveries back in the queue at once. Editions an admin paused stay paused.
/// </summary>
public sealed class RelayHealth(NpgsqlDataSource db, IMailTransport transport, IOptions<DeliveryOptions> options,
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
            if (outcome.HardBounce || outcome.Kind == OutcomeKind.Skipped) return false; // about one recipient, not the relay
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
        if (reason.Length > 500) reason = reason[..500];
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var paused = await connection.ExecuteAsync(new CommandDefinition(
            "update editions set state = 'paused', auto_paused = true, reason = @reason where state = 'sending'",
            new { reason }, cancellationToken: cancellationToken));
        if (paused > 0) logger.LogWarning("paused {Count} edition(s): {Reason}", paused, reason);
        nextProbe = time.GetUtcNow() + options.Value.ProbeInterval;
    }

    /// <summary>When editions are auto-paused and a probe is due: probes the relay and resumes them if it answers.</summary>
    public async Task ProbeIfDueAsync(CancellationToken cancellationToken)
    {
        if (time.GetUtcNow() < nextProbe) return;
        nextProbe = time.GetUtcNow() + options.Value.ProbeInterval;
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var waiting = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "select exists (select 1 from editions where state = 'paused' and auto_paused)", cancellationToken: cancellationToken));
        if (!waiting) return;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            await transport.ProbeAsync(timeout.Token);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogInformation("relay probe failed ({Error}); editions stay paused", e.Message);
            return;
        }
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var ids = (await connection.QueryAsync<long>(new CommandDefinition(
            """
            update editions set state = 'sending', auto_paused = false, reason = null
            where state = 'paused' and auto_paused
            returning id
            """, transaction: tx, cancellationToken: cancellationToken))).ToArray();
        // The relay is back: what was deferred while it was down goes now, not after its backoff.
        await connection.ExecuteAsync(new CommandDefinition(
            "update deliveries set next_attempt_at = now() where edition_id = any(@ids) and state = 'deferred'",
            new { ids }, tx, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            "update outbox set next_attempt_at = now() where state = 'deferred'", transaction: tx, cancellationToken: cancellationToken));
        await tx.CommitAsync(cancellationToken);
        lock (gate) consecutiveFailures = 0;
        logger.LogWarning("relay answers again: resumed edition(s) {Ids}", string.Join(", ", ids));
    }
}
