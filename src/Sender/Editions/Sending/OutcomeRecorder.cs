using System.Collections.Concurrent;
using Dapper;
using Microsoft.Extensions.Options;
using Newsletter.Database;
using Newsletter.Subscribers;
using Npgsql;

namespace Newsletter.Sender.Editions;

/// <summary>
/// Records a batch's outcomes in one statement; nothing is marked sent that the server did not accept. A row is only
/// updated under the claim that sent it (same claimer, same attempt), so a write that is retried, or that comes after
/// the claim was taken back, changes nothing twice. A failed write is retried until it succeeds or the process ends:
/// a message the relay accepted must not be sent again. For editions the bounce bookkeeping goes in the same
/// transaction, and a batch that may be an edition's last is followed by the finishing check.
/// </summary>
internal sealed class OutcomeRecorder(NpgsqlDataSource db, OutboxStore outbox, BounceRecorder bounces, DeliveryClaims claims, DeliveryShutdown shutdown,
    IOptions<DeliveryOptions> options, ILogger<OutcomeRecorder> logger)
{
    /// <summary>Records an outbox batch through its owner's store (<see cref="OutboxStore.RecordAsync"/>).</summary>
    public Task RecordOutboxAsync(List<OutboxMail> rows, ConcurrentDictionary<long, Outcome> outcomes)
    {
        var list = rows.Select(r =>
        {
            var o = OutcomeOf(outcomes, r.Id);
            return new OutboxOutcome(r.Id, r.Attempts, OutboxStateOf(o.Kind), Truncate(o.Reply), Delay(o.Kind, r.Attempts));
        }).ToList();
        return RetryAsync("outbox", ct => outbox.RecordAsync(list, claims.Instance, ct));
    }

    private static readonly string Pending = DbValue.Sql(DeliveryState.Pending);
    private static readonly string Sending = DbValue.Sql(DeliveryState.Sending);
    private static readonly string Sent = DbValue.Sql(DeliveryState.Sent);
    private static readonly string Deferred = DbValue.Sql(DeliveryState.Deferred);

    /// <summary>Records an edition batch with its bounces; <paramref name="mayBeLast"/>: the claim came back short.</summary>
    public async Task RecordDeliveriesAsync(List<ClaimedDelivery> rows, ConcurrentDictionary<long, Outcome> outcomes, bool mayBeLast)
    {
        var byId = rows.ToDictionary(r => r.Id);
        var args = Parameters(outcomes, rows.Select(r => (r.Id, r.Attempts)));
        await RetryAsync("deliveries", async ct =>
        {
            await using var connection = await db.OpenConnectionAsync(ct);
            await using var tx = await connection.BeginTransactionAsync(ct);
            var updated = (await connection.QueryAsync<long>(new CommandDefinition(
                // A null state is a released row: due again as it was, the attempt not counted.
                $"""
                update deliveries d set state = case when v.state is not null then v.state when d.attempts > 1 then {Deferred} else {Pending} end,
                       last_reply = case when v.state is null then d.last_reply else v.reply end, claimed_at = null,
                       attempts = d.attempts - (v.state is null)::int,
                       sent_at = case when v.state = {Sent} then now() end,
                       next_attempt_at = now() + v.delay
                from unnest(@ids, @states, @replies, @delays, @attempts) as v(id, state, reply, delay, attempts)
                where d.id = v.id and d.state = {Sending} and d.claimed_by = @instance and d.attempts = v.attempts
                returning d.id
                """, args, tx, cancellationToken: ct))).ToList();

            // Same transaction as the outcomes, so a status change commits or rolls back with what caused it; only the
            // rows this write changed, so a retried write never counts a bounce twice.
            var recorded = new List<DeliveryOutcomeForBounce>(updated.Count);
            foreach (var id in updated)
                if (outcomes.TryGetValue(id, out var o)) recorded.Add(DeliveryBounces.From(byId[id].SubscriberId, byId[id].EditionId, o));
            await bounces.RecordAsync(connection, tx, recorded, ct);
            await tx.CommitAsync(ct);
            SubscriberMetrics.Bounce("hard", "smtp", recorded.Count(r => r.Kind == BounceKind.FailedHard));
            SubscriberMetrics.Bounce("soft", "smtp", recorded.Count(r => r.Kind == BounceKind.FailedSoft));
        });

        // Only a short batch can be an edition's last (a full one means more was due; the loop's next, empty claim
        // sweeps every edition), and the check grows with the list, so it does not run after every batch. After the
        // commit, with a fresh snapshot: two loops checking inside their own transactions would each see the other's
        // last rows still sending, and neither would finish the edition.
        if (mayBeLast)
        {
            await using var connection = await db.OpenConnectionAsync(shutdown.Records);
            await EditionTransitions.FinishAsync(connection, rows.Select(r => r.EditionId).Distinct().ToArray(), shutdown.Records);
        }
    }

    private async Task RetryAsync(string what, Func<CancellationToken, Task> write)
    {
        var ct = shutdown.Records;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await write(ct);
                if (attempt > 1) logger.LogWarning("recorded the {What} outcomes after {Attempts} attempts", what, attempt);
                return;
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                // The database restarts or is out of reach: keep the outcomes and try again, or the rows would be sent
                // again once their claim expired.
                if (attempt == 1 || attempt % 30 == 0) logger.LogWarning("recording {What} outcomes failed ({Error}); retrying", what, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(attempt, 2)), ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <summary>
    /// The arrays one edition batch's outcome update unnests: id, state, reply, retry delay and
    /// the attempt the claim counted.
    /// </summary>
    private object Parameters(IReadOnlyDictionary<long, Outcome> outcomes, IEnumerable<(long Id, int Attempts)> claimed)
    {
        var list = claimed.ToList();
        var kinds = list.Select(r => OutcomeOf(outcomes, r.Id)).ToList();
        return new
        {
            ids = list.Select(r => r.Id).ToArray(),
            states = kinds.Select(o => DeliveryStateOf(o.Kind) is { } s ? DbValue.Of(s) : null).ToArray(),
            replies = kinds.Select(o => Truncate(o.Reply)).ToArray(),
            delays = list.Select((r, i) => Delay(kinds[i].Kind, r.Attempts)).ToArray(),
            attempts = list.Select(r => r.Attempts).ToArray(),
            instance = claims.Instance,
        };
    }

    private TimeSpan Delay(OutcomeKind kind, int attempts)
        => kind == OutcomeKind.Deferred ? RetryPolicy.Backoff(attempts, options.Value.RetryBaseDelay) : TimeSpan.Zero;

    /// <summary>A claimed row's outcome; one without an outcome was never started and is released.</summary>
    private static Outcome OutcomeOf(IReadOnlyDictionary<long, Outcome> outcomes, long id)
        => outcomes.TryGetValue(id, out var o) ? o : new Outcome(OutcomeKind.Released, "");

    /// <summary>A delivery's next state after the outcome; null for a released row (see the statement).</summary>
    private static DeliveryState? DeliveryStateOf(OutcomeKind kind) => kind switch
    {
        OutcomeKind.Sent => DeliveryState.Sent,
        OutcomeKind.Deferred => DeliveryState.Deferred,
        OutcomeKind.Failed => DeliveryState.Failed,
        OutcomeKind.Released => null,
        _ => DeliveryState.Skipped,
    };

    /// <summary>An outbox mail's next state after the outcome.</summary>
    private static OutboxState OutboxStateOf(OutcomeKind kind) => kind switch
    {
        OutcomeKind.Sent => OutboxState.Sent,
        OutcomeKind.Deferred => OutboxState.Deferred,
        OutcomeKind.Failed => OutboxState.Failed,
        OutcomeKind.Released => OutboxState.Released,
        // Only an edition delivery is skipped (its reader left); a transactional mail goes to whoever asked for it.
        _ => throw new InvalidOperationException($"an outbox mail has no {kind} outcome"),
    };

    private static string Truncate(string reply) => reply.Length <= 1000 ? reply : reply[..1000];
}
