using Dapper;
using Npgsql;

namespace Newsletter.Subscribers;

/// <summary>What one delivery attempt means for the subscriber's bounce state.</summary>
public enum BounceKind
{
    /// <summary>Nothing to record (skipped, deferred, or a permanent failure that was not the recipient's fault).</summary>
    None,

    /// <summary>The relay accepted the edition: the consecutive soft-bounce count starts again.</summary>
    Sent,

    /// <summary>Failed after the retry window with 4xx replies: one soft bounce for this edition.</summary>
    FailedSoft,

    /// <summary>A 5xx to RCPT (or a provider's permanent bounce): the address is bounced at once.</summary>
    FailedHard,
}

/// <summary>One delivery outcome as the bounce bookkeeping needs it.</summary>
public sealed record DeliveryOutcomeForBounce(long SubscriberId, long EditionId, BounceKind Kind, string? Reply);

/// <summary>
/// Bounce and complaint bookkeeping. Runs inside the caller's transaction (the delivery engine's, when it records a
/// batch of outcomes; the events API's), so a status change commits or rolls back with what caused it.
/// Rules: a hard bounce makes a pending or confirmed address <c>bounced</c>; a soft bounce counts once per edition
/// (<c>subscribers.soft_bounces</c>, <c>last_soft_bounce_edition_id</c>) and after
/// <see cref="SubscribersOptions.SoftBounceLimit"/> consecutive editions the address is <c>bounced</c>; a delivered
/// edition resets the count; a complaint makes any address but an erased one <c>complained</c> for good. Every status
/// change is a <c>subscriber_events</c> row with its cause and the SMTP reply or event as detail.
/// </summary>
public sealed class BounceRecorder(SubscribersOptions settings, TimeProvider time, ISubscriberDepartures departures)
{
    public const int MaxDetailLength = 1000;

    /// <summary>Records a batch of delivery outcomes. Call it in the transaction that records them.</summary>
    public async Task RecordAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        IReadOnlyList<DeliveryOutcomeForBounce> outcomes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        var sent = outcomes.Where(o => o.Kind == BounceKind.Sent).Select(o => o.SubscriberId).Distinct().ToArray();
        if (sent.Length > 0)
        {
            // One statement for the common case; rows already at zero are not touched.
            await connection.ExecuteAsync(new CommandDefinition(
                "update subscribers set soft_bounces = 0, last_soft_bounce_edition_id = null where id = any(@sent) and soft_bounces > 0",
                new { sent }, transaction, cancellationToken: cancellationToken));
        }
        // Failures are rare next to deliveries: one at a time, ordered by id so concurrent batches lock in the same order.
        foreach (var o in outcomes.Where(o => o.Kind is BounceKind.FailedSoft or BounceKind.FailedHard).OrderBy(o => o.SubscriberId))
        {
            await InsertBounceAsync(connection, transaction, new BounceReport(o.SubscriberId, o.EditionId,
                o.Kind == BounceKind.FailedHard ? BounceReportKind.Hard : BounceReportKind.Soft, BounceSource.Smtp, o.Reply), cancellationToken);
            if (o.Kind == BounceKind.FailedHard)
                await HardBounceAsync(connection, transaction, o.SubscriberId, "hard bounce", Detail(o.EditionId, o.Reply), cancellationToken);
            else
                await SoftBounceAsync(connection, transaction, o.SubscriberId, o.EditionId, Detail(o.EditionId, o.Reply), cancellationToken);
        }
    }

    /// <summary>
    /// A bounce or complaint from the bounce mailbox or a webhook: stored in <c>bounces</c> with its source, then applied
    /// by the same rules as an SMTP reply. True when the subscriber's status changed.
    /// </summary>
    public async Task<bool> ReportAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, BounceReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        await InsertBounceAsync(connection, transaction, report, cancellationToken);
        var source = report.Source == BounceSource.Mailbox ? "mailbox" : "event";
        var detail = report.EditionId is { } edition ? Detail(edition, report.Detail) : report.Detail;
        return report.Kind switch
        {
            BounceReportKind.Complaint => await ComplaintAsync(connection, transaction, report.SubscriberId,
                report.Source == BounceSource.Mailbox ? "complaint (mailbox)" : "complaint", detail, report.EditionId, cancellationToken),
            BounceReportKind.Hard => await HardBounceAsync(connection, transaction, report.SubscriberId, $"hard bounce ({source})", detail, cancellationToken),
            _ => await SoftBounceAsync(connection, transaction, report.SubscriberId, report.EditionId, detail, cancellationToken),
        };
    }

    private Task InsertBounceAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, BounceReport report, CancellationToken ct)
        => connection.ExecuteAsync(new CommandDefinition(
            // The subscriber row is locked first, as every status change locks it: the foreign key's share lock alone
            // would let two reports about one subscriber deadlock when each then asks for the update lock.
            // The edition may be unknown to this database (a report about another installation's mail): kept without it.
            // Nothing is kept about an erased subscriber (a late report would quote the address).
            """
            with s as (select id from subscribers where id = @SubscriberId and status <> 'erased' for update)
            insert into bounces (subscriber_id, edition_id, at, kind, source, detail)
            select s.id, (select id from editions where id = @EditionId), @at, @kind, @source, @detail from s
            """,
            new
            {
                report.SubscriberId, report.EditionId, at = time.GetUtcNow(),
                kind = report.Kind switch { BounceReportKind.Hard => "hard", BounceReportKind.Soft => "soft", _ => "complaint" },
                source = report.Source switch { BounceSource.Smtp => "smtp", BounceSource.Mailbox => "mailbox", _ => "webhook" },
                detail = Clip(report.Detail),
            }, transaction, cancellationToken: ct));

    /// <summary>A permanent bounce: pending or confirmed becomes bounced. True when the status changed.</summary>
    public async Task<bool> HardBounceAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long subscriberId,
        string cause, string? detail, CancellationToken cancellationToken)
    {
        var status = await LockStatusAsync(connection, transaction, subscriberId, cancellationToken);
        if (status is not (SubscriberStatus.Confirmed or SubscriberStatus.Pending)) return false;
        await SubscriberService.ChangeStatusAsync(connection, transaction, subscriberId, status, SubscriberStatus.Bounced, cause,
            Clip(detail), time.GetUtcNow(), cancellationToken);
        await departures.LeftAsync(connection, transaction, subscriberId, "bounced", cancellationToken);
        return true;
    }

    /// <summary>
    /// A soft bounce for an edition (null: not tied to one, e.g. a provider's transient bounce event). Counted once per
    /// edition; at the limit a confirmed address becomes bounced. True when the status changed.
    /// </summary>
    public async Task<bool> SoftBounceAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long subscriberId,
        long? editionId, string? detail, CancellationToken cancellationToken)
    {
        var row = await connection.QuerySingleOrDefaultAsync<(string Status, int SoftBounces, long? LastEdition)?>(new CommandDefinition(
            "select status, soft_bounces, last_soft_bounce_edition_id from subscribers where id = @subscriberId for update",
            new { subscriberId }, transaction, cancellationToken: cancellationToken));
        if (row is null) return false;
        var (status, count, last) = row.Value;
        if (editionId is not null && last == editionId) return false; // this edition's soft bounce is already counted
        count++;
        await connection.ExecuteAsync(new CommandDefinition(
            "update subscribers set soft_bounces = @count, last_soft_bounce_edition_id = @editionId where id = @subscriberId",
            new { count, editionId, subscriberId }, transaction, cancellationToken: cancellationToken));
        if (count < settings.SoftBounceLimit || status != SubscriberStatus.Confirmed) return false;
        await SubscriberService.ChangeStatusAsync(connection, transaction, subscriberId, status, SubscriberStatus.Bounced,
            $"soft bounce limit ({count} consecutive editions)", Clip(detail), time.GetUtcNow(), cancellationToken);
        await departures.LeftAsync(connection, transaction, subscriberId, "bounced", cancellationToken);
        return true;
    }

    /// <summary>A spam complaint: the address is never mailed again (nor re-activated by signup or import).</summary>
    public Task<bool> ComplaintAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long subscriberId,
        string cause, string? detail, CancellationToken cancellationToken)
        => ComplaintAsync(connection, transaction, subscriberId, cause, detail, editionId: null, cancellationToken);

    /// <summary>A spam complaint about an edition (the report names it), which its report then counts.</summary>
    public async Task<bool> ComplaintAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long subscriberId,
        string cause, string? detail, long? editionId, CancellationToken cancellationToken)
    {
        var status = await LockStatusAsync(connection, transaction, subscriberId, cancellationToken);
        if (status is null or SubscriberStatus.Complained or SubscriberStatus.Erased) return false;
        await SubscriberService.ChangeStatusAsync(connection, transaction, subscriberId, status, SubscriberStatus.Complained, cause,
            Clip(detail), time.GetUtcNow(), editionId, cancellationToken);
        await departures.LeftAsync(connection, transaction, subscriberId, "complained", cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            update confirmation_tokens set revoked_at = @now where subscriber_id = @subscriberId and used_at is null and revoked_at is null;
            delete from outbox where subscriber_id = @subscriberId and state in ('pending', 'deferred');
            """, new { subscriberId, now = time.GetUtcNow() }, transaction, cancellationToken: cancellationToken));
        return true;
    }

    private static Task<string?> LockStatusAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long subscriberId, CancellationToken ct)
        => connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "select status from subscribers where id = @subscriberId for update", new { subscriberId }, transaction, cancellationToken: ct));

    private static string Detail(long editionId, string? reply) => $"edition {editionId}: {reply}";

    internal static string? Clip(string? text) => text is null ? null : text.Length <= MaxDetailLength ? text : text[..MaxDetailLength];
}
