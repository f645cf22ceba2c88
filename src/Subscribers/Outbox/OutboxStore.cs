using Dapper;
using Newsletter.Database;
using Npgsql;

namespace Newsletter.Subscribers;

/// <summary>
/// The outbox's claims and outcomes, for the host's sender: <see cref="Outbox"/> writes a mail in the transaction of the
/// event it belongs to, and this claims due mails in batches with <c>FOR UPDATE SKIP LOCKED</c> (any number of
/// instances share them), keeps their lease while they are sent, records each attempt and takes back the mails of an
/// instance that died. A claimed mail is sending under its claimer's name; every write after the claim is made under
/// that name and attempt, so a retried or late write changes nothing twice.
/// </summary>
public sealed class OutboxStore(NpgsqlDataSource db)
{
    private static readonly string Due = DbValue.Sql(OutboxState.Pending, OutboxState.Deferred);
    private static readonly string Pending = DbValue.Sql(OutboxState.Pending);
    private static readonly string Sending = DbValue.Sql(OutboxState.Sending);
    private static readonly string Sent = DbValue.Sql(OutboxState.Sent);
    private static readonly string Deferred = DbValue.Sql(OutboxState.Deferred);

    /// <summary>Claims at most <paramref name="limit"/> due mails, oldest first, for <paramref name="instance"/>.</summary>
    public async Task<List<OutboxMail>> ClaimAsync(int limit, string instance, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<OutboxMail>(new CommandDefinition(
            $"""
            with claimed as (
                select id from outbox
                where state in ({Due}) and next_attempt_at <= now()
                order by next_attempt_at, id
                limit @limit
                for update skip locked)
            update outbox o set state = {Sending}, claimed_at = now(), claimed_by = @instance, attempts = o.attempts + 1
            from claimed c where o.id = c.id
            returning o.id, o.kind, o.subscriber_id as SubscriberId, o.recipient, o.payload::text as Payload, o.created_at as CreatedAt, o.attempts
            """, new { limit, instance }, cancellationToken: cancellationToken))).ToList();
    }

    /// <summary>Renews the lease of mails still in flight, so a slow relay's batch is not taken back meanwhile.</summary>
    public async Task RenewAsync(long[] ids, string instance, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            $"update outbox set claimed_at = now() where id = any(@ids) and state = {Sending} and claimed_by = @instance",
            new { ids, instance }, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Records a batch's outcomes in one statement. A released mail goes back as it was; a sent one loses its payload (it
    /// may hold a confirmation token).
    /// </summary>
    public async Task RecordAsync(IReadOnlyList<OutboxOutcome> outcomes, string instance, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            // A null state is a released mail: due again as it was, the attempt not counted.
            $$"""
            update outbox o set state = case when v.state is not null then v.state when o.attempts > 1 then {{Deferred}} else {{Pending}} end,
                   last_reply = case when v.state is null then o.last_reply else v.reply end, claimed_at = null,
                   attempts = o.attempts - (v.state is null)::int,
                   sent_at = case when v.state = {{Sent}} then now() end,
                   payload = case when v.state = {{Sent}} then '{}'::jsonb else o.payload end,
                   next_attempt_at = now() + v.delay
            from unnest(@ids, @states, @replies, @delays, @attempts) as v(id, state, reply, delay, attempts)
            where o.id = v.id and o.state = {{Sending}} and o.claimed_by = @instance and o.attempts = v.attempts
            """,
            new
            {
                ids = outcomes.Select(o => o.Id).ToArray(),
                states = outcomes.Select(o => o.State == OutboxState.Released ? null : DbValue.Of(o.State)).ToArray(),
                replies = outcomes.Select(o => o.Reply).ToArray(),
                delays = outcomes.Select(o => o.RetryIn).ToArray(),
                attempts = outcomes.Select(o => o.Attempts).ToArray(),
                instance,
            }, cancellationToken: cancellationToken));
    }

    /// <summary>Mails left sending by an instance that died before <paramref name="expired"/> are due again; returns how many.</summary>
    public async Task<int> ReclaimExpiredAsync(DateTimeOffset expired, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            $"""
            update outbox set state = {Deferred}, next_attempt_at = now(), claimed_at = null, claimed_by = null,
                              last_reply = 'claim expired: the worker stopped while sending'
            where state = {Sending} and claimed_at < @expired
            """, new { expired }, cancellationToken: cancellationToken));
    }

    /// <summary>The relay answers again: deferred mails go now, not after their backoff.</summary>
    public async Task RetryDeferredNowAsync(CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            $"update outbox set next_attempt_at = now() where state = {Deferred}", cancellationToken: cancellationToken));
    }
}
