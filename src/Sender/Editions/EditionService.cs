using System.Security.Cryptography;
using Dapper;
using Microsoft.Extensions.Options;
using Newsletter.Comparisons;
using Newsletter.Database;
using Newsletter.Sender.Hosting;
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
            var existing = await EditionTransitions.OfSlotAsync(connection, tx, slot.Value, cancellationToken);
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
            var skippedId = await EditionTransitions.CreateSkippedAsync(connection, tx, slot, "no new comparisons since the last edition", now, now,
                keepSlotEdition: false, cancellationToken);
            await tx.CommitAsync(cancellationToken);
            return (await GetAsync(skippedId, cancellationToken))!;
        }

        var id = await EditionTransitions.CreateSendingAsync(connection, tx, slot, now, cancellationToken);
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
        var state = await EditionTransitions.LockAsync(connection, tx, draftId, cancellationToken);
        if (state != EditionState.Draft)
            throw new InvalidOperationException($"edition {draftId} is not a draft (state {(state is { } s ? DbValue.Of(s) : "absent")})");

        var eligible = (await ComparisonSelection.SelectAsync(connection, tx, now, int.MaxValue, comparisons.Value.LookBack, cancellationToken))
            .Select(c => c.Id).ToHashSet();
        var chosen = (await ComparisonSelection.ForEditionAsync(connection, tx, draftId, includeExcluded: false, cancellationToken))
            .Where(c => eligible.Contains(c.Id)).Take(comparisons.Value.MaxComparisonsPerEdition).ToList();
        if (chosen.Count == 0)
        {
            await EditionTransitions.SkipAsync(connection, tx, draftId, "nothing left to send in the draft", now, cancellationToken);
            await tx.CommitAsync(cancellationToken);
            return (await GetAsync(draftId, cancellationToken))!;
        }
        // What is not sent is not consumed: drop excluded and no-longer-eligible rows from the edition.
        await ComparisonSelection.KeepOnlyAsync(connection, tx, draftId, chosen.Select(c => c.Id).ToList(), cancellationToken);
        await EditionTransitions.StartDraftAsync(connection, tx, draftId, now, cancellationToken);
        await RenderAndQueueAsync(connection, tx, draftId, chosen.Select(c => c.Comparison).ToList(), now, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return (await GetAsync(draftId, cancellationToken))!;
    }

    private async Task<EditionSummary> RecordTemplateFailureAsync(NpgsqlConnection connection, DateTimeOffset? slot, DateTimeOffset now,
        TemplateException error, CancellationToken cancellationToken)
    {
        var failedId = await EditionTransitions.CreateFailedAsync(connection, slot, error.Message, now, cancellationToken);
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

        await EditionTransitions.StoreContentAsync(connection, tx, id,
            new EditionContentRow(rendered.Subject, rendered.Preheader, tracked.Html, tracked.Text, prefix, suffix), cancellationToken);
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
            await EditionTransitions.SkipAsync(connection, tx, id, "no confirmed subscribers", now, cancellationToken);
            return;
        }
        await EditionTransitions.StartQueueAsync(connection, tx, id, recipients, recipients < chunk ? null : last, until, cancellationToken);
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
        var cursor = await EditionTransitions.LockQueueCursorAsync(connection, tx, id, cancellationToken);
        if (cursor is null) return (false, false);
        if (cursor.State is not (EditionState.Sending or EditionState.Paused))
        {
            await EditionTransitions.StopQueueAsync(connection, tx, id, cancellationToken);
            await tx.CommitAsync(cancellationToken);
            return (false, false);
        }
        var chunk = delivery.Value.QueueChunk;
        var (queued, last) = await QueueChunkAsync(connection, tx, id, cursor.After, cursor.Until, chunk, time.GetUtcNow(), cancellationToken);
        var more = queued == chunk;
        await EditionTransitions.AdvanceQueueAsync(connection, tx, id, queued, more ? last : null, cancellationToken);
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
        var id = await EditionTransitions.CreateSkippedAsync(connection, null, slot, reason, slot, now, keepSlotEdition: true, cancellationToken);
        return (await GetAsync(id, cancellationToken))!;
    }

    /// <summary>Pauses a sending edition (no new deliveries are claimed; those in flight finish). False when not sending.</summary>
    public async Task<bool> PauseAsync(long id, string reason, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await EditionTransitions.PauseAsync(connection, null, id, PauseCause.Operator, reason, cancellationToken);
    }

    /// <summary>Resumes a paused edition, whatever paused it. False when not paused.</summary>
    public async Task<bool> ResumeAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await EditionTransitions.ResumeAsync(connection, null, id, cancellationToken);
    }

    /// <summary>
    /// Cancels an edition: deliveries not yet handed to the relay are skipped; those in flight finish and are recorded.
    /// False when the edition is already finished.
    /// </summary>
    public async Task<bool> CancelAsync(long id, string reason, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var cancelled = await EditionTransitions.CancelAsync(connection, tx, id, reason, cancellationToken);
        if (cancelled) await PendingDeliveries.SkipForEditionAsync(connection, tx, id, "edition cancelled", cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return cancelled;
    }

    /// <summary>
    /// Puts the failed deliveries of an edition back in the queue with a fresh retry window, and the edition back to
    /// sending. Subscribers who bounced or left since are skipped when claimed. Returns how many were requeued.
    /// </summary>
    public async Task<int> RetryFailedAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var requeued = await PendingDeliveries.RequeueFailedAsync(connection, tx, id, cancellationToken);
        if (requeued > 0) await EditionTransitions.ReopenAsync(connection, tx, id, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return requeued;
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
            select e.id, e.state, e.pause_cause as PauseCause, e.reason, e.subject, e.cutoff, e.created_at as CreatedAt, e.started_at as StartedAt,
                   e.finished_at as FinishedAt, e.recipients, e.queue_after is not null as Queueing
            from editions e {tail}
            """, args, cancellationToken: cancellationToken))).ToList();
        if (rows.Count == 0) return [];
        var counts = await DeliveryCounts.ReadAsync(connection, rows.Select(r => r.Id).ToArray(), cancellationToken);
        return rows.Select(r => new EditionSummary(r.Id, r.State, r.Reason, r.Subject, r.Cutoff, r.CreatedAt, r.StartedAt, r.FinishedAt,
            r.Recipients, counts[r.Id])
        {
            Queueing = r.Queueing,
            PauseCause = r.PauseCause,
        }).ToList();
    }

    private sealed record EditionRow(long Id, EditionState State, PauseCause? PauseCause, string? Reason, string? Subject, DateTimeOffset Cutoff,
        DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, int Recipients, bool Queueing);
}
