using System.Collections.Concurrent;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Options;
using Newsletter.Mail.Smtp;
using Newsletter.Sender.Configuration;
using Newsletter.Sender.Subscribers;
using Newsletter.Subscribers;
using Npgsql;

namespace Newsletter.Sender.Delivery;

/// <summary>
/// Drains the outbox and sends editions. Work is claimed in batches with <c>FOR UPDATE SKIP LOCKED</c>, so any
/// number of instances share it; a claimed row is in state 'sending' with a lease, and a row whose lease ran out
/// (its instance died) is taken back. Outcomes are recorded a batch at a time. Nothing is marked sent that the
/// server did not accept.
/// </summary>
public sealed class DeliveryWorker(
    NpgsqlDataSource db, IMailTransport transport, MessageComposer composer, DeliverySignal signal, RelayHealth relay, BounceRecorder bounces,
    IOptions<DeliveryOptions> options, IOptions<ServiceOptions> service, ILogger<DeliveryWorker> logger, TimeProvider time)
    : BackgroundService
{
    private readonly string instance = service.Value.InstanceName ?? $"{Environment.MachineName}:{Environment.ProcessId}";
    // Four messages in hand per connection: while a connection carries one message the next is composed (and signed)
    // and waits in the pool's line, so its commands go out behind the data of the one before (pipelining across
    // transactions) and no connection waits for a composer. Two were enough to keep the connections busy, but not the
    // cores: when the SMTP server fell behind for a moment every slot was full and the composers stopped, and the
    // machine then idled instead of signing ahead (Send.Bench with DKIM: 1.83–1.85 of 2 cores busy with two a
    // connection, 1.90–1.91 with four; about 25 MB more at peak).
    private readonly SemaphoreSlim slots = new(4 * transport.Concurrency, 4 * transport.Concurrency);
    private DateTimeOffset nextReclaim;
    // Where the next edition claim starts in deliveries_due, see ClaimMarkFor.
    private readonly Lock claimMarkLock = new();
    private ClaimMark? claimMark;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        logger.LogInformation("delivery worker {Instance} started with {Loops} loops and {Slots} send slots", instance, options.Value.Workers, slots.CurrentCount);
        // Several claim/send/record loops share the transport's send slots: while one loop records its batch or
        // claims the next, the others keep every connection busy.
        var loops = Enumerable.Range(0, options.Value.Workers).Select(i => RunLoopAsync(i, stoppingToken)).ToArray();
        await Task.WhenAll(loops);
    }

    private async Task RunLoopAsync(int index, CancellationToken stoppingToken)
    {
        await Task.Yield();
        var sweepWhenIdle = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            var worked = 0;
            try
            {
                if (index == 0)
                {
                    if (time.GetUtcNow() >= nextReclaim)
                    {
                        await ReclaimExpiredAsync(stoppingToken);
                        nextReclaim = time.GetUtcNow().AddSeconds(15);
                    }
                    await relay.ProbeIfDueAsync(stoppingToken);
                    worked += await SendOutboxBatchAsync(stoppingToken);
                }
                worked += await SendEditionBatchAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                // The database went away for a moment, or a bug: nothing is lost (claims expire and are retried),
                // and the worker must outlive it rather than stop the host.
                logger.LogError(e, "delivery worker: {Error}; retrying", e.Message);
                await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            if (worked > 0) sweepWhenIdle = true;
            else if (sweepWhenIdle && !stoppingToken.IsCancellationRequested)
            {
                // The queue just ran dry for this loop: an edition whose last batch was a full one was not checked
                // after it (see RecordDeliveryOutcomesAsync); check every sending edition once now.
                sweepWhenIdle = false;
                try
                {
                    await using var connection = await db.OpenConnectionAsync(stoppingToken);
                    await FinishEditionsAsync(connection, null, stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    logger.LogError(e, "delivery worker: {Error}; the periodic sweep will finish the edition", e.Message);
                }
            }
            if (worked == 0)
            {
                await signal.WaitAsync(options.Value.PollInterval, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <summary>Runs <paramref name="send"/> for every row, at most as many at once as the transport has slots (shared by all loops).</summary>
    private async Task ForEachLimitedAsync<T>(IReadOnlyList<T> rows, Func<T, CancellationToken, Task> send, CancellationToken ct)
    {
        var tasks = new Task[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            await slots.WaitAsync(ct);
            var row = rows[i];
            tasks[i] = Run(row);
        }
        await Task.WhenAll(tasks);

        async Task Run(T row)
        {
            try { await send(row, ct); }
            finally { slots.Release(); }
        }
    }

    /// <summary>Rows left in 'sending' by an instance that died are retried (at most the in-flight ones are sent twice).</summary>
    private async Task ReclaimExpiredAsync(CancellationToken ct)
    {
        var expired = time.GetUtcNow() - options.Value.ClaimLease;
        await using var connection = await db.OpenConnectionAsync(ct);
        var deliveries = await connection.ExecuteAsync(new CommandDefinition(
            """
            update deliveries set state = 'deferred', next_attempt_at = now(), claimed_at = null, claimed_by = null,
                                  last_reply = 'claim expired: the worker stopped while sending'
            where state = 'sending' and claimed_at < @expired
            """, new { expired }, cancellationToken: ct));
        var mails = await connection.ExecuteAsync(new CommandDefinition(
            """
            update outbox set state = 'deferred', next_attempt_at = now(), claimed_at = null, claimed_by = null,
                              last_reply = 'claim expired: the worker stopped while sending'
            where state = 'sending' and claimed_at < @expired
            """, new { expired }, cancellationToken: ct));
        if (deliveries + mails > 0) logger.LogWarning("took back {Deliveries} deliveries and {Mails} outbox mails whose claim expired", deliveries, mails);
        await FinishEditionsAsync(connection, null, ct);
    }

    private async Task<int> SendOutboxBatchAsync(CancellationToken ct)
    {
        List<OutboxRow> rows;
        await using (var connection = await db.OpenConnectionAsync(ct))
        {
            rows = (await connection.QueryAsync<OutboxRow>(new CommandDefinition(
                """
                with claimed as (
                    select id from outbox
                    where state in ('pending', 'deferred') and next_attempt_at <= now()
                    order by next_attempt_at, id
                    limit @limit
                    for update skip locked)
                update outbox o set state = 'sending', claimed_at = now(), claimed_by = @instance, attempts = o.attempts + 1
                from claimed c where o.id = c.id
                returning o.id, o.kind, o.subscriber_id as SubscriberId, o.recipient, o.payload::text as Payload, o.created_at as CreatedAt, o.attempts
                """, new { limit = options.Value.BatchSize, instance }, cancellationToken: ct))).ToList();
        }
        if (rows.Count == 0) return 0;

        var outcomes = new ConcurrentDictionary<long, Outcome>();
        await ForEachLimitedAsync(rows, async (row, token) =>
        {
            try
            {
                var message = await composer.ComposeOutboxAsync(row.Kind, row.SubscriberId, row.Recipient, JsonDocument.Parse(row.Payload).RootElement, token);
                var reply = await transport.SendAsync(new SmtpEnvelope(composer.EnvelopeFrom, [row.Recipient]), message, token);
                outcomes[row.Id] = new Outcome(OutcomeKind.Sent, reply);
            }
            catch (Exception e) when (e is not OperationCanceledException || !token.IsCancellationRequested)
            {
                var outcome = Failure(e, Utc(row.CreatedAt));
                outcomes[row.Id] = outcome;
                logger.LogWarning("outbox {Id} ({Kind}): {Outcome} {Reply}", row.Id, row.Kind, outcome.Kind, outcome.Reply);
            }
        }, ct);

        await using (var connection = await db.OpenConnectionAsync(ct))
        {
            // One statement records the whole batch; the payload (it may hold a confirmation token) is cleared once sent.
            await connection.ExecuteAsync(new CommandDefinition(
                """
                update outbox o set state = v.state, last_reply = v.reply, claimed_at = null,
                       sent_at = case when v.state = 'sent' then now() end,
                       payload = case when v.state = 'sent' then '{}'::jsonb else o.payload end,
                       next_attempt_at = now() + v.delay
                from unnest(@ids, @states, @replies, @delays) as v(id, state, reply, delay)
                where o.id = v.id and o.state = 'sending'
                """,
                OutcomeParameters(outcomes, rows.ToDictionary(r => r.Id, r => r.Attempts)), cancellationToken: CancellationToken.None));
        }
        return rows.Count;
    }

    private async Task<int> SendEditionBatchAsync(CancellationToken ct)
    {
        List<DeliveryRow> rows;
        var limit = options.Value.BatchSize;
        var mark = ClaimMarkFor();
        await using (var connection = await db.OpenConnectionAsync(ct))
        {
            // Claim due deliveries of editions that are sending, oldest first; SKIP LOCKED lets instances share.
            // The sending editions are an array, not a join: with a join the planner misjudges how many rows match and
            // sorts every pending delivery on each claim (63 ms a claim at 100,000 recipients, growing with the list);
            // this way it walks deliveries_due in order and stops at the limit (under 1 ms).
            rows = (await connection.QueryAsync<DeliveryRow>(new CommandDefinition(
                $"""
                with claimed as (
                    select d.id from deliveries d
                    where d.state in ('pending', 'deferred') and d.next_attempt_at <= now()
                      and d.edition_id = any(array(select id from editions where state = 'sending'))
                      {(mark is null ? "" : "and (d.next_attempt_at, d.id) > (@markAt, @markId)")}
                    order by d.next_attempt_at, d.id
                    limit @limit
                    for update of d skip locked)
                update deliveries d set state = 'sending', claimed_at = now(), claimed_by = @instance,
                                        attempts = d.attempts + 1, last_attempt_at = now()
                from claimed c, subscribers s, editions e
                where d.id = c.id and s.id = d.subscriber_id and e.id = d.edition_id
                returning d.id, d.edition_id as EditionId, d.subscriber_id as SubscriberId, s.email, s.status, d.attempts,
                          coalesce(d.window_start, e.started_at, e.created_at) as WindowStart, d.next_attempt_at as NextAttemptAt
                """, new { limit, instance, markAt = mark?.At, markId = mark?.Id }, cancellationToken: ct))).ToList();
        }
        MoveClaimMark(rows, limit);
        if (rows.Count == 0) return 0;

        var editions = new Dictionary<long, EditionContent>();
        foreach (var editionId in rows.Select(r => r.EditionId).Distinct())
            editions[editionId] = await composer.GetEditionAsync(editionId, ct);

        var outcomes = new ConcurrentDictionary<long, Outcome>();
        await ForEachLimitedAsync(rows, async (row, token) =>
        {
            if (row.Status != SubscriberStatus.Confirmed)
            {
                outcomes[row.Id] = new Outcome(OutcomeKind.Skipped, "subscriber is " + row.Status);
                return;
            }
            var edition = editions[row.EditionId];
            try
            {
                using var message = composer.ComposeEdition(edition, row.SubscriberId, row.Email);
                var reply = await transport.SendAsync(new SmtpEnvelope(composer.EnvelopeFrom, [row.Email]), message.WrittenMemory, token);
                outcomes[row.Id] = new Outcome(OutcomeKind.Sent, reply);
            }
            catch (Exception e) when (e is not OperationCanceledException || !token.IsCancellationRequested)
            {
                outcomes[row.Id] = Failure(e, Utc(row.WindowStart));
            }
        }, ct);

        await RecordDeliveryOutcomesAsync(rows, outcomes, mayBeLast: rows.Count < limit, CancellationToken.None);
        var relayDown = false;
        foreach (var row in rows)
            if (outcomes.TryGetValue(row.Id, out var o)) relayDown |= relay.Record(o);
        if (relayDown) await relay.PauseAllAsync(CancellationToken.None);
        return rows.Count;
    }

    private async Task RecordDeliveryOutcomesAsync(List<DeliveryRow> rows, ConcurrentDictionary<long, Outcome> outcomes, bool mayBeLast,
        CancellationToken ct)
    {
        var byId = rows.ToDictionary(r => r.Id);
        var list = outcomes.ToList();
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            update deliveries d set state = v.state, last_reply = v.reply, claimed_at = null,
                   sent_at = case when v.state = 'sent' then now() end,
                   next_attempt_at = now() + v.delay
            from unnest(@ids, @states, @replies, @delays) as v(id, state, reply, delay)
            where d.id = v.id and d.state = 'sending'
            """,
            OutcomeParameters(outcomes, rows.ToDictionary(r => r.Id, r => r.Attempts)), tx, cancellationToken: ct));

        // A 5xx to RCPT is a hard bounce (the subscriber gets nothing more); failing for the whole retry window is a
        // soft bounce, counted per edition; a delivered edition resets that count. Same transaction as the outcomes.
        await bounces.RecordAsync(connection, tx,
            list.Select(p => DeliveryBounces.From(byId[p.Key].SubscriberId, byId[p.Key].EditionId, p.Value)).ToList(), ct);

        await tx.CommitAsync(ct);

        // Only a batch shorter than the claim limit can be an edition's last (a full one means more was due when it was
        // claimed; the loop's next, empty claim sweeps every edition, see RunLoopAsync). The check walks the edition's
        // index entries of delivered rows that vacuum has not removed yet, so it grows with the list: run after every
        // batch it cost PostgreSQL 29 s of CPU in a 1,000,000-recipient send (5.8 ms a check), 6 % of the machine.
        // After the commit, with a fresh snapshot: two loops committing their last batches at the same time would each
        // see the other's rows still 'sending' if they checked inside their own transactions, and neither would finish
        // the edition. The periodic sweep (FinishEditionsAsync from the reclaim step) covers a crash right here.
        if (mayBeLast)
            await FinishEditionsAsync(connection, rows.Select(r => r.EditionId).Distinct().ToArray(), ct);
    }

    /// <summary>
    /// Where the next edition claim starts: after the highest (next_attempt_at, id) a full claim took, or at the start
    /// of deliveries_due (null). Each claimed row leaves its old version's entry at the front of that index until
    /// vacuum removes it, so a claim from the start re-reads more of them as a send goes on (from about 100 to 900
    /// index pages a claim between vacuums at 1,000,000 recipients). A row can become due below the mark (an edition
    /// resumed or retried, a claim that rolled back, another instance's clock behind): so a claim that comes back short
    /// clears the mark, and a chain of marks lasts at most 15 s before one claim walks from the start again.
    /// </summary>
    private ClaimMark? ClaimMarkFor()
    {
        lock (claimMarkLock)
        {
            if (claimMark is not null && Environment.TickCount64 - claimMark.Since > 15_000) claimMark = null;
            return claimMark;
        }
    }

    private void MoveClaimMark(List<DeliveryRow> rows, int limit)
    {
        lock (claimMarkLock)
        {
            if (rows.Count < limit)
            {
                claimMark = null;
                return;
            }
            var top = rows.Select(r => (r.NextAttemptAt, r.Id)).Max();
            if (claimMark is null) claimMark = new ClaimMark(top.NextAttemptAt, top.Id, Environment.TickCount64);
            else if (top.CompareTo((claimMark.At, claimMark.Id)) > 0) claimMark = claimMark with { At = top.NextAttemptAt, Id = top.Id };
        }
    }

    private sealed record ClaimMark(DateTime At, long Id, long Since);

    /// <summary>
    /// Marks sending editions sent when every delivery is queued and none is left pending, sending or deferred,
    /// re-read from the database;
    /// all sending editions when <paramref name="editionIds"/> is null.
    /// </summary>
    private static Task FinishEditionsAsync(NpgsqlConnection connection, long[]? editionIds, CancellationToken ct)
        => connection.ExecuteAsync(new CommandDefinition(
            """
            update editions e set state = 'sent', finished_at = now()
            where e.state = 'sending' and e.queue_after is null and (@editions::bigint[] is null or e.id = any(@editions))
              and not exists (select 1 from deliveries d where d.edition_id = e.id and d.state in ('pending', 'sending', 'deferred'))
            """, new { editions = editionIds }, cancellationToken: ct));

    /// <summary>
    /// What a failed attempt means: transient failures are deferred until <c>Delivery__RetryWindow</c> has passed since
    /// <paramref name="windowStart"/>, then failed (the prefix marks a soft bounce for the bounce recorder).
    /// </summary>
    private Outcome Failure(Exception error, DateTimeOffset windowStart)
    {
        var outcome = Outcome.FromException(error);
        return outcome.Kind == OutcomeKind.Deferred && time.GetUtcNow() - windowStart > options.Value.RetryWindow
            ? outcome with { Kind = OutcomeKind.Failed, Reply = DeliveryBounces.RetryWindowPassed + outcome.Reply }
            : outcome;
    }

    /// <summary>The arrays one batch's outcome update unnests (outbox and deliveries alike): id, state, reply, retry delay.</summary>
    private object OutcomeParameters(IReadOnlyDictionary<long, Outcome> outcomes, Dictionary<long, int> attempts)
    {
        var list = outcomes.ToList();
        return new
        {
            ids = list.Select(p => p.Key).ToArray(),
            states = list.Select(p => State(p.Value.Kind)).ToArray(),
            replies = list.Select(p => Truncate(p.Value.Reply)).ToArray(),
            delays = list.Select(p => p.Value.Kind == OutcomeKind.Deferred
                ? RetryPolicy.Backoff(attempts[p.Key], options.Value.RetryBaseDelay) : TimeSpan.Zero).ToArray(),
        };
    }

    private static string State(OutcomeKind kind) => kind switch
    {
        OutcomeKind.Sent => "sent",
        OutcomeKind.Deferred => "deferred",
        OutcomeKind.Failed => "failed",
        _ => "skipped",
    };

    private static string Truncate(string reply) => reply.Length <= 1000 ? reply : reply[..1000];

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    private sealed record OutboxRow(long Id, string Kind, long? SubscriberId, string Recipient, string Payload, DateTime CreatedAt, int Attempts);

    private sealed record DeliveryRow(long Id, long EditionId, long SubscriberId, string Email, string Status, int Attempts, DateTime WindowStart,
        DateTime NextAttemptAt);
}
