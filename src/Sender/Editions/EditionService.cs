using System.Security.Cryptography;
using Dapper;
using Microsoft.Extensions.Options;
using Newsletter.Comparisons;
using Newsletter.Sender.Configuration;
using Newsletter.Sender.Delivery;
using Newsletter.Sender.Tracking;
using Newsletter.Sender.Web;
using Newsletter.Templates;
using Npgsql;

namespace Newsletter.Sender.Editions;

/// <summary>
/// Creates editions: selects the comparisons, renders the email once (with slots for the personal values),
/// stores it and queues the first chunk of deliveries (one per confirmed subscriber, set-based), all in one
/// transaction; the delivery workers start on it at once while <see cref="EditionQueuer"/> queues the other chunks.
/// </summary>
public sealed class EditionService(
    NpgsqlDataSource db, EmailRenderer renderer, SiteInfoProvider site,
    IOptions<SelectionOptions> comparisons, IOptions<DeliveryOptions> delivery, IOptions<TrackingOptions> tracking, TimeProvider time)
{
    /// <summary>The personal values every edition message carries; each appears as a slot in the stored content.</summary>
    public const string UnsubscribeSlot = "unsubscribe_url";
    public const string EmailSlot = "email";

    // One edition is created at a time, whoever asks (API, admin, the schedule, another instance).
    private const long CreateLockKey = 0x4E_4C_45_44_49_54; // "NLEDIT"

    /// <summary>
    /// Creates an edition from the comparisons not yet sent and starts sending it. When there is nothing new the
    /// edition is recorded as skipped with the reason, and no mail goes out. With a <paramref name="slot"/> (a
    /// scheduled send) the call is idempotent: the edition of that slot is returned if it exists.
    /// </summary>
    public async Task<EditionSummary> CreateAndStartAsync(DateTimeOffset? slot, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("select pg_advisory_xact_lock(@key)", new { key = CreateLockKey }, tx, cancellationToken: cancellationToken));

        if (slot is not null)
        {
            var existing = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
                "select id from editions where slot = @slot", new { slot }, tx, cancellationToken: cancellationToken));
            if (existing is not null)
            {
                await tx.CommitAsync(cancellationToken);
                return (await GetAsync(existing.Value, cancellationToken))!;
            }
        }

        var selected = await ComparisonSelection.SelectAsync(connection, tx, now, comparisons.Value.MaxComparisonsPerEdition,
            comparisons.Value.LookBack, cancellationToken);
        if (selected.Count == 0)
        {
            var skippedId = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                """
                insert into editions (slot, state, reason, cutoff, created_at, finished_at)
                values (@slot, 'skipped', 'no new comparisons since the last edition', @now, @now, @now)
                returning id
                """, new { slot, now }, tx, cancellationToken: cancellationToken));
            await tx.CommitAsync(cancellationToken);
            return (await GetAsync(skippedId, cancellationToken))!;
        }

        var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "insert into editions (slot, state, cutoff, created_at, started_at) values (@slot, 'sending', @now, @now, @now) returning id",
            new { slot, now }, tx, cancellationToken: cancellationToken));
        await ComparisonSelection.RecordAsync(connection, tx, id, selected.Select(s => s.Id).ToList(), cancellationToken);

        try
        {
            await RenderAndQueueAsync(connection, tx, id, selected.Select(s => s.Comparison).ToList(), now, cancellationToken);
        }
        catch (TemplateException e)
        {
            // Nothing is queued and the comparisons stay unsent; the edition is recorded as failed with the reason.
            await tx.RollbackAsync(cancellationToken);
            return await RecordTemplateFailureAsync(connection, slot, now, e, cancellationToken);
        }
        await tx.CommitAsync(cancellationToken);
        return (await GetAsync(id, cancellationToken))!;
    }

    /// <summary>
    /// Starts the admin's draft: its comparisons in the order the admin stored, without the excluded ones, and
    /// without any that another edition has sent since the draft was made (at most
    /// <c>Newsletter__MaxComparisonsPerEdition</c>). Skipped with the reason when none is left.
    /// </summary>
    /// <exception cref="InvalidOperationException">the edition is not a draft.</exception>
    public async Task<EditionSummary> StartDraftAsync(long draftId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("select pg_advisory_xact_lock(@key)", new { key = CreateLockKey }, tx, cancellationToken: cancellationToken));
        var state = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "select state from editions where id = @draftId for update", new { draftId }, tx, cancellationToken: cancellationToken));
        if (state != "draft") throw new InvalidOperationException($"edition {draftId} is not a draft (state {state ?? "absent"})");

        var eligible = (await ComparisonSelection.SelectAsync(connection, tx, now, int.MaxValue, comparisons.Value.LookBack, cancellationToken))
            .Select(c => c.Id).ToHashSet();
        var chosen = (await ComparisonSelection.ForEditionAsync(connection, tx, draftId, includeExcluded: false, cancellationToken))
            .Where(c => eligible.Contains(c.Id)).Take(comparisons.Value.MaxComparisonsPerEdition).ToList();
        if (chosen.Count == 0)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "update editions set state = 'skipped', reason = 'nothing left to send in the draft', finished_at = @now where id = @draftId",
                new { draftId, now }, tx, cancellationToken: cancellationToken));
            await tx.CommitAsync(cancellationToken);
            return (await GetAsync(draftId, cancellationToken))!;
        }
        // What is not sent is not consumed: drop excluded and no-longer-eligible rows from the edition.
        await ComparisonSelection.KeepOnlyAsync(connection, tx, draftId, chosen.Select(c => c.Id).ToList(), cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "update editions set state = 'sending', cutoff = @now, started_at = @now where id = @draftId",
            new { draftId, now }, tx, cancellationToken: cancellationToken));
        await RenderAndQueueAsync(connection, tx, draftId, chosen.Select(c => c.Comparison).ToList(), now, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return (await GetAsync(draftId, cancellationToken))!;
    }

    private async Task<EditionSummary> RecordTemplateFailureAsync(NpgsqlConnection connection, DateTimeOffset? slot, DateTimeOffset now,
        TemplateException error, CancellationToken cancellationToken)
    {
        var failedId = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            insert into editions (slot, state, reason, cutoff, created_at, finished_at)
            values (@slot, 'failed', @reason, @now, @now, @now)
            on conflict (slot) do update set reason = excluded.reason
            returning id
            """, new { slot, reason = error.Message, now }, cancellationToken: cancellationToken));
        return (await GetAsync(failedId, cancellationToken))!;
    }

    /// <summary>Renders the edition once (personal values as slots), stores it, and queues one delivery per confirmed subscriber.</summary>
    private async Task RenderAndQueueAsync(NpgsqlConnection connection, NpgsqlTransaction tx, long id,
        IReadOnlyList<Newsletter.Comparisons.Comparison> chosen, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // A random nonce in the slot markers: no comparison text can forge a slot.
        var prefix = "{{{" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)) + ".";
        const string suffix = "}}}";
        var info = site.Get();
        var rendered = await renderer.RenderEditionAsync(new EditionEmailModel(
            info, id, now, chosen,
            new PersonalSlots(prefix + UnsubscribeSlot + suffix, prefix + EmailSlot + suffix),
            site.ArchiveUrl(id)), cancellationToken);
        // Links are rewritten once here, never per recipient; the targets are stored, so the redirect serves only them.
        var comparisonUrls = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var c in chosen) comparisonUrls.TryAdd(ComparisonView.ComparisonUrl(c, info, id), c.Slug);
        var tracked = LinkRewriter.Rewrite(rendered.Html, rendered.Text, id, info.BaseUrl.TrimEnd('/'), tracking.Value.Clicks, tracking.Value.Opens,
            prefix, suffix, comparisonUrls);

        await connection.ExecuteAsync(new CommandDefinition(
            """
            update editions set subject = @Subject, preheader = @Preheader, html = @Html, text_body = @Text,
                                slot_prefix = @prefix, slot_suffix = @suffix
            where id = @id
            """, new { rendered.Subject, rendered.Preheader, tracked.Html, tracked.Text, prefix, suffix, id }, tx, cancellationToken: cancellationToken));
        await EditionLinks.InsertAsync(connection, tx, id, tracked.Links, cancellationToken);

        // The recipients are the confirmed subscribers that exist now. This transaction queues the first chunk so the
        // workers start at once; EditionQueuer queues the rest in further set-based chunks (see QueueNextChunkAsync).
        var until = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "select max(id) from subscribers", transaction: tx, cancellationToken: cancellationToken)) ?? 0;
        var chunk = delivery.Value.FirstQueueChunk;
        var (recipients, last) = await QueueChunkAsync(connection, tx, id, 0, until, chunk, now, cancellationToken);
        if (recipients == 0)
        {
            // Nobody to send to: the comparisons stay for the first edition that has readers.
            await ComparisonSelection.ReleaseAsync(connection, tx, id, cancellationToken);
            await connection.ExecuteAsync(new CommandDefinition(
                "update editions set state = 'skipped', reason = 'no confirmed subscribers', finished_at = @now where id = @id",
                new { id, now }, tx, cancellationToken: cancellationToken));
            return;
        }
        await connection.ExecuteAsync(new CommandDefinition(
            "update editions set recipients = @recipients, queue_after = @after, queue_until = @until where id = @id",
            new { recipients, after = recipients < chunk ? (long?)null : last, until, id }, tx, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Queues the next chunk of an edition's deliveries (<c>Delivery__QueueChunk</c> confirmed subscribers after its
    /// cursor) and moves the cursor, in one transaction that holds the edition's row. <c>Queued</c>: this call queued
    /// a chunk; <c>More</c>: chunks remain. Neither when the edition is fully queued, not queueing, or another
    /// instance is queueing it right now. A cancelled edition stops queueing.
    /// </summary>
    public async Task<(bool Queued, bool More)> QueueNextChunkAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var cursor = await connection.QuerySingleOrDefaultAsync<QueueCursor>(new CommandDefinition(
            "select queue_after as After, queue_until as Until, state from editions where id = @id and queue_after is not null for update skip locked",
            new { id }, tx, cancellationToken: cancellationToken));
        if (cursor is null) return (false, false);
        if (cursor.State is not ("sending" or "paused"))
        {
            await connection.ExecuteAsync(new CommandDefinition("update editions set queue_after = null where id = @id", new { id }, tx, cancellationToken: cancellationToken));
            await tx.CommitAsync(cancellationToken);
            return (false, false);
        }
        var chunk = delivery.Value.QueueChunk;
        var (queued, last) = await QueueChunkAsync(connection, tx, id, cursor.After, cursor.Until, chunk, time.GetUtcNow(), cancellationToken);
        var more = queued == chunk;
        await connection.ExecuteAsync(new CommandDefinition(
            "update editions set recipients = recipients + @queued, queue_after = @after where id = @id",
            new { queued, after = more ? (long?)last : null, id }, tx, cancellationToken: cancellationToken));
        await tx.CommitAsync(cancellationToken);
        return (true, more);
    }

    /// <summary>Refreshes the planner's statistics of the deliveries table (after queueing changed it a lot).</summary>
    public async Task AnalyzeDeliveriesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("analyze deliveries", cancellationToken: cancellationToken, commandTimeout: 600));
    }

    /// <summary>The editions whose deliveries are still being queued, oldest first.</summary>
    public async Task<IReadOnlyList<long>> ListQueueingAsync(CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<long>(new CommandDefinition(
            "select id from editions where queue_after is not null order by id", cancellationToken: cancellationToken))).ToList();
    }

    /// <summary>One delivery per confirmed subscriber in (after, until], at most <paramref name="limit"/>, in one statement.</summary>
    private static async Task<(int Count, long Last)> QueueChunkAsync(NpgsqlConnection connection, NpgsqlTransaction tx, long id,
        long after, long until, int limit, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var result = await connection.QuerySingleAsync<(long Count, long? Last)>(new CommandDefinition(
            """
            with queued as (
                insert into deliveries (edition_id, subscriber_id, next_attempt_at)
                select @id, s.id, @now from subscribers s
                where s.status = 'confirmed' and s.id > @after and s.id <= @until
                order by s.id limit @limit
                returning subscriber_id)
            select count(*), max(subscriber_id) from queued
            """, new { id, after, until, limit, now }, tx, cancellationToken: cancellationToken, commandTimeout: 600));
        return ((int)result.Count, result.Last ?? after);
    }

    private sealed record QueueCursor(long After, long Until, string State);

    /// <summary>
    /// Records the edition of a schedule slot as skipped because the send came too late (idempotent per slot):
    /// every instance was down, or the run kept failing with <paramref name="lastError"/> until then.
    /// </summary>
    public Task<EditionSummary> RecordLateAsync(DateTimeOffset slot, TimeSpan late, string? lastError, CancellationToken cancellationToken)
    {
        var why = lastError is null ? "every instance was down" : "it kept failing: " + lastError;
        return RecordSkippedAsync(slot, $"late: the scheduled send of {slot:u} came {(int)late.TotalHours} h {late.Minutes} min late ({why}); send it by hand", cancellationToken);
    }

    /// <summary>Records the edition of a schedule slot as skipped with the reason; an existing edition of the slot is kept.</summary>
    public async Task<EditionSummary> RecordSkippedAsync(DateTimeOffset slot, string reason, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            insert into editions (slot, state, reason, cutoff, created_at, finished_at)
            values (@slot, 'skipped', @reason, @slot, @now, @now)
            on conflict (slot) do update set slot = excluded.slot
            returning id
            """, new { slot, now, reason }, cancellationToken: cancellationToken));
        return (await GetAsync(id, cancellationToken))!;
    }

    /// <summary>Pauses a sending edition (no new deliveries are claimed; those in flight finish). False when not sending.</summary>
    public Task<bool> PauseAsync(long id, string reason, CancellationToken cancellationToken)
        => ChangeStateAsync(
            "update editions set state = 'paused', auto_paused = false, reason = @reason, paused_at = now() where id = @id and state = 'sending'",
            new { id, reason }, cancellationToken);

    /// <summary>Resumes a paused edition. False when not paused.</summary>
    public Task<bool> ResumeAsync(long id, CancellationToken cancellationToken)
        => ChangeStateAsync(
            """
            update editions set state = 'sending', auto_paused = false, reason = null,
                   paused_total = paused_total + coalesce(now() - paused_at, interval '0'), paused_at = null
            where id = @id and state = 'paused'
            """,
            new { id }, cancellationToken);

    /// <summary>
    /// Cancels an edition: deliveries not yet handed to the relay are skipped; those in flight finish and are recorded.
    /// False when the edition is already finished.
    /// </summary>
    public async Task<bool> CancelAsync(long id, string reason, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var cancelled = await connection.ExecuteAsync(new CommandDefinition(
            """
            update editions set state = 'cancelled', reason = @reason, finished_at = now(), queue_after = null
            where id = @id and state in ('draft', 'scheduled', 'sending', 'paused')
            """, new { id, reason }, tx, cancellationToken: cancellationToken));
        if (cancelled > 0) await PendingDeliveries.SkipForEditionAsync(connection, tx, id, "edition cancelled", cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return cancelled > 0;
    }

    /// <summary>
    /// Puts the failed deliveries of an edition back in the queue with a fresh retry window, and the edition back to
    /// sending. Subscribers who bounced or left since are skipped when claimed. Returns how many were requeued.
    /// </summary>
    public async Task<int> RetryFailedAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var requeued = await connection.ExecuteAsync(new CommandDefinition(
            """
            update deliveries d set state = 'pending', next_attempt_at = now(), window_start = now() - e.paused_total,
                   last_reply = 'retry requested: ' || coalesce(d.last_reply, '')
            from editions e
            where d.edition_id = @id and d.state = 'failed' and e.id = @id and e.state in ('sending', 'paused', 'sent', 'failed')
            """, new { id }, tx, cancellationToken: cancellationToken));
        if (requeued > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "update editions set state = 'sending', finished_at = null, reason = null where id = @id and state in ('sent', 'failed')",
                new { id }, tx, cancellationToken: cancellationToken));
        }
        await tx.CommitAsync(cancellationToken);
        return requeued;
    }

    private async Task<bool> ChangeStateAsync(string sql, object args, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var changed = await connection.ExecuteAsync(new CommandDefinition(sql, args, tx, cancellationToken: cancellationToken));
        await tx.CommitAsync(cancellationToken);
        return changed > 0;
    }

    public async Task<EditionSummary?> GetAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var list = await QueryAsync(connection, "where e.id = @id", new { id }, cancellationToken);
        return list.Count > 0 ? list[0] : null;
    }

    public async Task<IReadOnlyList<EditionSummary>> ListAsync(int limit, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await QueryAsync(connection, "order by e.id desc limit @limit", new { limit }, cancellationToken);
    }

    private static async Task<IReadOnlyList<EditionSummary>> QueryAsync(NpgsqlConnection connection, string tail, object args, CancellationToken cancellationToken)
    {
        var rows = (await connection.QueryAsync<EditionRow>(new CommandDefinition(
            $"""
            select e.id, e.state, e.reason, e.subject, e.cutoff, e.created_at as CreatedAt, e.started_at as StartedAt,
                   e.finished_at as FinishedAt, e.recipients, e.queue_after is not null as Queueing
            from editions e {tail}
            """, args, cancellationToken: cancellationToken))).ToList();
        if (rows.Count == 0) return [];
        var ids = rows.Select(r => r.Id).ToArray();
        var counts = (await connection.QueryAsync<(long EditionId, string State, long Count)>(new CommandDefinition(
            "select edition_id, state, count(*) from deliveries where edition_id = any(@ids) group by edition_id, state",
            new { ids }, cancellationToken: cancellationToken))).ToLookup(c => c.EditionId);
        return rows.Select(r =>
        {
            var states = new Dictionary<string, long> { ["pending"] = 0, ["sending"] = 0, ["sent"] = 0, ["deferred"] = 0, ["failed"] = 0, ["skipped"] = 0 };
            foreach (var c in counts[r.Id]) states[c.State] = c.Count;
            return new EditionSummary(r.Id, r.State, r.Reason, r.Subject, Utc(r.Cutoff), Utc(r.CreatedAt), UtcOrNull(r.StartedAt), UtcOrNull(r.FinishedAt), r.Recipients, states)
            {
                Queueing = r.Queueing,
            };
        }).ToList();
    }

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    private static DateTimeOffset? UtcOrNull(DateTime? value) => value is null ? null : Utc(value.Value);

    private sealed record EditionRow(long Id, string State, string? Reason, string? Subject, DateTime Cutoff, DateTime CreatedAt,
        DateTime? StartedAt, DateTime? FinishedAt, int Recipients, bool Queueing);
}
