using Dapper;
using Microsoft.Extensions.Options;
using Newsletter.Database;
using Newsletter.Sender.Hosting;
using Newsletter.Subscribers;
using Npgsql;

namespace Newsletter.Sender.Editions;

/// <summary>
/// Claims work in batches with <c>FOR UPDATE SKIP LOCKED</c>, so any number of instances share it: a claimed row is in
/// state Sending with a lease, and a row whose lease ran out (its instance died) is taken back. The outbox's statements
/// are its owner's (<see cref="OutboxStore"/>); this holds the deliveries' and the lease keeping both share.
/// </summary>
internal sealed class DeliveryClaims(NpgsqlDataSource db, OutboxStore outbox, IOptions<DeliveryOptions> options, IOptions<ServiceOptions> service,
    ILogger<DeliveryClaims> logger, TimeProvider time)
{
    // Where the next edition claim starts in deliveries_due, see MarkFor.
    private readonly Lock markLock = new();
    private ClaimMark? mark;

    /// <summary>This instance's name in claimed_by.</summary>
    public string Instance { get; } = service.Value.InstanceName ?? $"{Environment.MachineName}:{Environment.ProcessId}";

    private static readonly string Sending = DbValue.Sql(DeliveryState.Sending);
    private static readonly string Deferred = DbValue.Sql(DeliveryState.Deferred);
    private static readonly string EditionSending = DbValue.Sql(EditionState.Sending);

    /// <summary>Claims due deliveries of editions that are sending, oldest first, at most <paramref name="limit"/>.</summary>
    public async Task<List<ClaimedDelivery>> ClaimDeliveriesAsync(int limit, CancellationToken ct)
    {
        var from = MarkFor();
        List<ClaimedDelivery> rows;
        await using (var connection = await db.OpenConnectionAsync(ct))
        {
            // A delivery's retry window starts at its first attempt (less the time its edition had been paused, which
            // WindowStart adds back): the last readers of a large edition, or a send started on a slow machine, get
            // the whole window. The sending editions are an array, not a join: with a join the planner misjudges how many rows match and
            // sorts every pending delivery on each claim; this way it walks deliveries_due in order and stops at the limit.
            rows = (await connection.QueryAsync<ClaimedDelivery>(new CommandDefinition(
                $"""
                with claimed as (
                    select d.id from deliveries d
                    where d.state in ({StateSets.DueDeliveries}) and d.next_attempt_at <= now()
                      and d.edition_id = any(array(select id from editions where state = {EditionSending}))
                      {(from is null ? "" : "and (d.next_attempt_at, d.id) > (@markAt, @markId)")}
                    order by d.next_attempt_at, d.id
                    limit @limit
                    for update of d skip locked)
                update deliveries d set state = {Sending}, claimed_at = now(), claimed_by = @instance,
                                        attempts = d.attempts + 1, last_attempt_at = now(),
                                        window_start = coalesce(d.window_start, now() - e.paused_total)
                from claimed c, subscribers s, editions e
                where d.id = c.id and s.id = d.subscriber_id and e.id = d.edition_id
                returning d.id, d.edition_id as EditionId, d.subscriber_id as SubscriberId, s.email, s.status, d.attempts,
                          d.window_start + e.paused_total as WindowStart, d.next_attempt_at as NextAttemptAt
                """, new { limit, instance = Instance, markAt = from?.At, markId = from?.Id }, cancellationToken: ct))).ToList();
        }
        MoveMark(rows, limit);
        return rows;
    }

    /// <summary>
    /// Renews the lease of claimed rows still in flight (one statement for a batch), so a batch slower than the lease
    /// (a throttled relay) is not taken back and sent by another worker meanwhile.
    /// </summary>
    public async Task RenewAsync(long[] ids, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            $"update deliveries set claimed_at = now() where id = any(@ids) and state = {Sending} and claimed_by = @instance",
            new { ids, instance = Instance }, cancellationToken: ct));
    }

    /// <summary>Runs until <paramref name="work"/> ends, renewing the lease of the deliveries <paramref name="ids"/> every third of it.</summary>
    public Task KeepLeaseWhileAsync(long[] ids, Task work) => KeepLeaseWhileAsync("deliveries", ids.Length, ct => RenewAsync(ids, ct), work);

    /// <summary>Runs until <paramref name="work"/> ends, renewing the lease of the outbox mails <paramref name="ids"/> every third of it.</summary>
    public Task KeepOutboxLeaseWhileAsync(long[] ids, Task work) => KeepLeaseWhileAsync("outbox", ids.Length, ct => outbox.RenewAsync(ids, Instance, ct), work);

    private async Task KeepLeaseWhileAsync(string table, int count, Func<CancellationToken, Task> renew, Task work)
    {
        using var stop = new CancellationTokenSource();
        var period = options.Value.ClaimLease / 3;
        while (await Task.WhenAny(work, Task.Delay(period, stop.Token)) != work)
        {
            try
            {
                await renew(CancellationToken.None);
            }
            catch (Exception e)
            {
                // The next renewal may get through; the lease is three periods long.
                logger.LogWarning("renewing the claim of {Count} {Table} rows failed: {Error}", count, table, e.Message);
            }
        }
        await stop.CancelAsync();
        await work;
    }

    /// <summary>
    /// Rows left sending by an instance that died are retried (at most the in-flight ones are sent twice); then
    /// every sending edition gets its finishing check, which also covers a crash between a batch and its check.
    /// </summary>
    public async Task ReclaimExpiredAsync(CancellationToken ct)
    {
        var expired = time.GetUtcNow() - options.Value.ClaimLease;
        await using var connection = await db.OpenConnectionAsync(ct);
        var deliveries = await connection.ExecuteAsync(new CommandDefinition(
            $"""
            update deliveries set state = {Deferred}, next_attempt_at = now(), claimed_at = null, claimed_by = null,
                                  last_reply = 'claim expired: the worker stopped while sending'
            where state = {Sending} and claimed_at < @expired
            """, new { expired }, cancellationToken: ct));
        var mails = await outbox.ReclaimExpiredAsync(expired, ct);
        if (deliveries + mails > 0) logger.LogWarning("took back {Deliveries} deliveries and {Mails} outbox mails whose claim expired", deliveries, mails);
        await EditionTransitions.FinishAsync(connection, null, ct);
    }

    /// <summary>
    /// Where the next edition claim starts: after the highest (next_attempt_at, id) a full claim took, or at the start
    /// of deliveries_due (null). Each claimed row leaves its old entry at the front of that index until vacuum removes
    /// it, so claims from the start would re-read ever more of them as a send goes on. A row can become due below the
    /// mark (an edition resumed or retried, a rolled-back claim, another instance's clock behind): so a short claim
    /// clears the mark, and a chain of marks lasts at most 15 s before a claim walks from the start again.
    /// </summary>
    private ClaimMark? MarkFor()
    {
        lock (markLock)
        {
            if (mark is not null && Environment.TickCount64 - mark.Since > 15_000) mark = null;
            return mark;
        }
    }

    private void MoveMark(List<ClaimedDelivery> rows, int limit)
    {
        lock (markLock)
        {
            if (rows.Count < limit)
            {
                mark = null;
                return;
            }
            var top = rows.Select(r => (r.NextAttemptAt, r.Id)).Max();
            if (mark is null) mark = new ClaimMark(top.NextAttemptAt, top.Id, Environment.TickCount64);
            else if (top.CompareTo((mark.At, mark.Id)) > 0) mark = mark with { At = top.NextAttemptAt, Id = top.Id };
        }
    }

    private sealed record ClaimMark(DateTime At, long Id, long Since);
}
