using Dapper;
using Newsletter.Database;
using Npgsql;

namespace Newsletter.Sender.Editions;

/// <summary>
/// The one writer of the <c>editions</c> table: every insert and update of an edition is a named statement here, and
/// every state change goes through one (listmonk's <c>update-campaign-status</c> is the idea). Callers ask for a
/// transition inside their own transaction; a transition that does not apply to the edition's current state
/// changes nothing and says so (false, or no id).
/// </summary>
public static class EditionTransitions
{
    private static readonly string Draft = DbValue.Sql(EditionState.Draft);
    private static readonly string Sending = DbValue.Sql(EditionState.Sending);
    private static readonly string Paused = DbValue.Sql(EditionState.Paused);
    private static readonly string Skipped = DbValue.Sql(EditionState.Skipped);
    private static readonly string Failed = DbValue.Sql(EditionState.Failed);
    private static readonly string Sent = DbValue.Sql(EditionState.Sent);
    private static readonly string Cancelled = DbValue.Sql(EditionState.Cancelled);
    private static readonly string Cancellable = DbValue.Sql(EditionState.Draft, EditionState.Scheduled, EditionState.Sending, EditionState.Paused);
    private static readonly string Relay = DbValue.Sql(PauseCause.Relay);
    private static readonly string Stale = DbValue.Sql(PauseCause.Stale);
    private static readonly string Unsettled = DbValue.Sql(DeliveryState.Pending, DeliveryState.Sending, DeliveryState.Deferred);
    private static readonly string DeliverySent = DbValue.Sql(DeliveryState.Sent);
    private static readonly string DeliveryFailed = DbValue.Sql(DeliveryState.Failed);

    // ---- reading the state a transition starts from -------------------------------------------------------------

    /// <summary>The edition's state, its row locked for the transaction; null when it does not exist.</summary>
    public static async Task<EditionState?> LockAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long id, CancellationToken ct)
    {
        var state = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "select state from editions where id = @id for update", new { id }, transaction, cancellationToken: ct));
        return state is null ? null : DbValue.Parse<EditionState>(state);
    }

    /// <summary>The newest draft's id, or null.</summary>
    public static Task<long?> LatestDraftAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, bool forUpdate, CancellationToken ct)
        => connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            $"select id from editions where state = {Draft} order by id desc limit 1{(forUpdate ? " for update" : "")}",
            transaction: transaction, cancellationToken: ct));

    /// <summary>The edition of a schedule slot, or null.</summary>
    public static Task<long?> OfSlotAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, DateTimeOffset slot, CancellationToken ct)
        => connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "select id from editions where slot = @slot", new { slot }, transaction, cancellationToken: ct));

    // ---- creation -----------------------------------------------------------------------------------------------

    /// <summary>A new edition that starts sending now (its content and queue follow in the same transaction).</summary>
    public static Task<long> CreateSendingAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, DateTimeOffset? slot, DateTimeOffset now, CancellationToken ct)
        => connection.ExecuteScalarAsync<long>(new CommandDefinition(
            $"insert into editions (slot, state, cutoff, created_at, started_at) values (@slot, {Sending}, @now, @now, @now) returning id",
            new { slot, now }, transaction, cancellationToken: ct));

    /// <summary>
    /// A new edition recorded as skipped with the reason. With <paramref name="keepSlotEdition"/> an existing edition
    /// of the slot is kept as it is and its id returned.
    /// </summary>
    public static Task<long> CreateSkippedAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, DateTimeOffset? slot, string reason,
        DateTimeOffset cutoff, DateTimeOffset now, bool keepSlotEdition, CancellationToken ct)
        => connection.ExecuteScalarAsync<long>(new CommandDefinition(
            $"""
            insert into editions (slot, state, reason, cutoff, created_at, finished_at)
            values (@slot, {Skipped}, @reason, @cutoff, @now, @now)
            {(keepSlotEdition ? "on conflict (slot) do update set slot = excluded.slot" : "")}
            returning id
            """, new { slot, reason, cutoff, now }, transaction, cancellationToken: ct));

    /// <summary>A new edition recorded as failed (its content could not be built); the slot's edition takes the reason if it exists.</summary>
    public static Task<long> CreateFailedAsync(NpgsqlConnection connection, DateTimeOffset? slot, string reason, DateTimeOffset now, CancellationToken ct)
        => connection.ExecuteScalarAsync<long>(new CommandDefinition(
            $"""
            insert into editions (slot, state, reason, cutoff, created_at, finished_at)
            values (@slot, {Failed}, @reason, @now, @now, @now)
            on conflict (slot) do update set reason = excluded.reason
            returning id
            """, new { slot, reason, now }, cancellationToken: ct));

    /// <summary>A new draft: the admin's order for the coming edition.</summary>
    public static Task<long> CreateDraftAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, DateTimeOffset now, CancellationToken ct)
        => connection.ExecuteScalarAsync<long>(new CommandDefinition(
            $"insert into editions (state, reason, cutoff, created_at) values ({Draft}, 'the admin''s order for the coming edition', @now, @now) returning id",
            new { now }, transaction, cancellationToken: ct));

    /// <summary>The draft now holds the comparisons published up to <paramref name="cutoff"/>.</summary>
    public static Task MoveDraftCutoffAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long id, DateTimeOffset cutoff, CancellationToken ct)
        => connection.ExecuteAsync(new CommandDefinition(
            $"update editions set cutoff = @cutoff where id = @id and state = {Draft}", new { id, cutoff }, transaction, cancellationToken: ct));

    // ---- content and queueing (no state change) -------------------------------------------------------------------

    /// <summary>Stores the rendered content (once per edition, with the slot markers of the personal values).</summary>
    public static Task StoreContentAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long id, EditionContentRow content, CancellationToken ct)
        => connection.ExecuteAsync(new CommandDefinition(
            """
            update editions set subject = @Subject, preheader = @Preheader, html = @Html, text_body = @Text,
                                slot_prefix = @SlotPrefix, slot_suffix = @SlotSuffix
            where id = @Id
            """, new { Id = id, content.Subject, content.Preheader, content.Html, content.Text, content.SlotPrefix, content.SlotSuffix },
            transaction, cancellationToken: ct));

    /// <summary>The first chunk is queued: the recipients so far and the cursor of the rest (null when all are queued).</summary>
    public static Task StartQueueAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long id, int recipients, long? after, long until, CancellationToken ct)
        => connection.ExecuteAsync(new CommandDefinition(
            "update editions set recipients = @recipients, queue_after = @after, queue_until = @until where id = @id",
            new { recipients, after, until, id }, transaction, cancellationToken: ct));

    /// <summary>The queue cursor of an edition still being queued, its row locked; null when none or another instance holds it.</summary>
    public static Task<QueueCursor?> LockQueueCursorAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long id, CancellationToken ct)
        => connection.QuerySingleOrDefaultAsync<QueueCursor?>(new CommandDefinition(
            "select queue_after as After, queue_until as Until, state from editions where id = @id and queue_after is not null for update skip locked",
            new { id }, transaction, cancellationToken: ct));

    /// <summary>A further chunk is queued: more recipients, the cursor moved (null when all are queued).</summary>
    public static Task AdvanceQueueAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long id, int queued, long? after, CancellationToken ct)
        => connection.ExecuteAsync(new CommandDefinition(
            "update editions set recipients = recipients + @queued, queue_after = @after where id = @id",
            new { queued, after, id }, transaction, cancellationToken: ct));

    /// <summary>The edition queues no more (it stopped sending).</summary>
    public static Task StopQueueAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long id, CancellationToken ct)
        => connection.ExecuteAsync(new CommandDefinition("update editions set queue_after = null where id = @id", new { id }, transaction, cancellationToken: ct));

    // ---- state transitions ------------------------------------------------------------------------------------------

    /// <summary>Draft → sending: the draft starts with the comparisons published up to now.</summary>
    public static async Task<bool> StartDraftAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long id, DateTimeOffset now, CancellationToken ct)
        => await connection.ExecuteAsync(new CommandDefinition(
            $"update editions set state = {Sending}, cutoff = @now, started_at = @now where id = @id and state = {Draft}",
            new { id, now }, transaction, cancellationToken: ct)) > 0;

    /// <summary>Draft or sending (before anything is queued) → skipped, with the reason.</summary>
    public static async Task<bool> SkipAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long id, string reason, DateTimeOffset now, CancellationToken ct)
        => await connection.ExecuteAsync(new CommandDefinition(
            $"update editions set state = {Skipped}, reason = @reason, finished_at = @now where id = @id and state in ({Draft}, {Sending})",
            new { id, reason, now }, transaction, cancellationToken: ct)) > 0;

    /// <summary>Sending → paused with the cause and reason; no new delivery is claimed, those in flight finish.</summary>
    public static async Task<bool> PauseAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, long id, PauseCause cause, string reason, CancellationToken ct)
        => await connection.ExecuteAsync(new CommandDefinition(
            $"update editions set state = {Paused}, pause_cause = @cause, reason = @reason, paused_at = now() where id = @id and state = {Sending}",
            new { id, cause = DbValue.Of(cause), reason = Clip(reason) }, transaction, cancellationToken: ct)) > 0;

    /// <summary>Every sending edition → paused with the cause and reason; returns their ids.</summary>
    public static async Task<long[]> PauseAllAsync(NpgsqlConnection connection, PauseCause cause, string reason, CancellationToken ct)
        => (await connection.QueryAsync<long>(new CommandDefinition(
            $"update editions set state = {Paused}, pause_cause = @cause, reason = @reason, paused_at = now() where state = {Sending} returning id",
            new { cause = DbValue.Of(cause), reason = Clip(reason) }, cancellationToken: ct))).ToArray();

    /// <summary>Paused → sending, whatever the cause (an admin's resume); the time paused is added to its total.</summary>
    public static async Task<bool> ResumeAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, long id, CancellationToken ct)
        => (await ResumeWhereAsync(connection, transaction, "id = @id", new { id }, ct)).Length > 0;

    /// <summary>Every edition the relay paused → sending (the relay answers again); returns their ids.</summary>
    public static Task<long[]> ResumeRelayPausedAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct)
        => ResumeWhereAsync(connection, transaction, $"pause_cause = {Relay}", null, ct);

    private static async Task<long[]> ResumeWhereAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string where, object? args, CancellationToken ct)
        => (await connection.QueryAsync<long>(new CommandDefinition(
            $"""
            update editions set state = {Sending}, pause_cause = null, reason = null,
                   paused_total = paused_total + coalesce(now() - paused_at, interval '0'), paused_at = null
            where state = {Paused} and {where}
            returning id
            """, args, transaction, cancellationToken: ct))).ToArray();

    /// <summary>Whether any edition waits for the relay to answer again.</summary>
    public static Task<bool> AnyRelayPausedAsync(NpgsqlConnection connection, CancellationToken ct)
        => connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            $"select exists (select 1 from editions where state = {Paused} and pause_cause = {Relay})", cancellationToken: ct));

    /// <summary>
    /// Editions the relay paused longer than <paramref name="maxStaleness"/> become stale: they no longer resume by
    /// themselves and wait for an admin. Returns their ids.
    /// </summary>
    public static async Task<long[]> MarkStaleAsync(NpgsqlConnection connection, TimeSpan maxStaleness, CancellationToken ct)
        => (await connection.QueryAsync<long>(new CommandDefinition(
            $"""
            update editions set pause_cause = {Stale},
                   reason = 'stale: paused since ' || to_char(paused_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI') || ' UTC, longer than '
                            || @maxText || '; resume or cancel it (' || coalesce(reason, '') || ')'
            where state = {Paused} and pause_cause = {Relay} and paused_at < now() - @max
            returning id
            """, new { max = maxStaleness, maxText = maxStaleness.ToString() }, cancellationToken: ct))).ToArray();

    /// <summary>Draft, scheduled, sending or paused → cancelled, with the reason; the caller skips its open deliveries.</summary>
    public static async Task<bool> CancelAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long id, string reason, CancellationToken ct)
        => await connection.ExecuteAsync(new CommandDefinition(
            $"""
            update editions set state = {Cancelled}, pause_cause = null, reason = @reason, finished_at = now(), queue_after = null
            where id = @id and state in ({Cancellable})
            """, new { id, reason }, transaction, cancellationToken: ct)) > 0;

    /// <summary>Sent or failed → sending again: failed deliveries were put back in the queue.</summary>
    public static Task ReopenAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long id, CancellationToken ct)
        => connection.ExecuteAsync(new CommandDefinition(
            $"update editions set state = {Sending}, finished_at = null, reason = null where id = @id and state in ({Sent}, {Failed})",
            new { id }, transaction, cancellationToken: ct));

    /// <summary>
    /// Sending → sent (or failed when nothing was delivered) for editions fully queued with no delivery pending,
    /// sending or deferred, re-read from the database; every sending edition when <paramref name="editionIds"/> is
    /// null. The reason of a failed edition is the most common reply; of a sent one with failures, their count.
    /// </summary>
    public static Task FinishAsync(NpgsqlConnection connection, long[]? editionIds, CancellationToken ct)
        => connection.ExecuteAsync(new CommandDefinition(
            $"""
            with done as (
                select e.id from editions e
                where e.state = {Sending} and e.queue_after is null and (@editions::bigint[] is null or e.id = any(@editions))
                  and not exists (select 1 from deliveries d where d.edition_id = e.id and d.state in ({Unsettled}))),
            counts as (
                select d.edition_id, count(*) filter (where d.state = {DeliverySent}) as sent,
                       count(*) filter (where d.state = {DeliveryFailed}) as failed, count(*) as total
                from deliveries d where d.edition_id in (select id from done) group by d.edition_id)
            update editions e
            set state = case when coalesce(c.sent, 0) = 0 and coalesce(c.failed, 0) > 0 then {Failed} else {Sent} end,
                finished_at = now(),
                reason = case
                    when coalesce(c.failed, 0) = 0 then null
                    when c.sent = 0 then 'nothing delivered: all ' || c.failed || ' deliveries failed; most often: ' || coalesce(
                        (select d.last_reply from deliveries d where d.edition_id = e.id and d.state = {DeliveryFailed}
                         group by d.last_reply order by count(*) desc limit 1), '?')
                    else c.failed || ' of ' || c.total || ' deliveries failed' end
            from done left join counts c on c.edition_id = done.id
            where e.id = done.id and e.state = {Sending}
            """, new { editions = editionIds }, cancellationToken: ct));

    private static string Clip(string reason) => reason.Length > 500 ? reason[..500] : reason;
}
