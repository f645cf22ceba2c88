using Dapper;
using Newsletter.Database;
using Newsletter.Sender.Editions;
using Newsletter.Sender.Admin.Pages;
using Npgsql;

namespace Newsletter.Sender.Admin;

/// <summary>
/// The console's own read queries over editions and deliveries (all parameterized; the scheduler is read from Hangfire). Subscribers are
/// read through <see cref="Newsletter.Subscribers.SubscriberAdmin"/>, comparisons through <see cref="Newsletter.Comparisons.ComparisonStore"/>; changes go through the areas'
/// own services (EditionService, SubscriberAdmin, ComparisonIngestor).
/// </summary>
public sealed class AdminQueries(NpgsqlDataSource db)
{
    public const int PageSize = 50;

    public static readonly IReadOnlyList<string> DeliveryStates = DbValue.All<DeliveryState>();

    /// <summary>
    /// How long the console's progress bar waits before it asks again. Each answer sums the edition's delivery counter
    /// rows (<see cref="DeliveryCounts"/>), a few per batch, so they grow with the edition: larger editions are asked
    /// about less often, every 2 s up to 100,000 recipients, 2 s more for each further 100,000, at most every 15 s.
    /// </summary>
    public static int ProgressPollSeconds(long recipients) => (int)Math.Clamp(2 * ((recipients + 99_999) / 100_000), 2, 15);

    public static EditionProgress Progress(EditionSummary e)
    {
        var d = e.Deliveries;
        return new EditionProgress(e.Id, e.State, e.Reason, e.Subject, e.CreatedAt, e.StartedAt, e.FinishedAt, e.Recipients,
            d.Sent, d.Deferred, d.Failed, d.Pending + d.Sending, d.Skipped);
    }

    /// <summary>An edition's bounces and complaints by kind and source (SMTP reply, bounce mailbox, webhook).</summary>
    public async Task<IReadOnlyList<BounceCount>> BounceCountsAsync(long editionId, CancellationToken ct)
    {
        await using var c = await db.OpenConnectionAsync(ct);
        var rows = await c.QueryAsync<BounceCount>(new CommandDefinition(
            "select kind, source, count(*) as count from bounces where edition_id = @editionId group by kind, source order by kind, source",
            new { editionId }, cancellationToken: ct));
        return rows.ToList();
    }

    public async Task<(IReadOnlyList<DeliveryRow> Rows, long Total)> DeliveriesAsync(long editionId, string? state, string? reply, int page, CancellationToken ct)
    {
        await using var c = await db.OpenConnectionAsync(ct);
        var args = new { editionId, state, reply, limit = PageSize, offset = (page - 1) * PageSize };
        const string where = """
            where d.edition_id = @editionId and (@state::text is null or d.state = @state)
              and (@reply::text is null or strpos(lower(coalesce(d.last_reply, '')), lower(@reply)) > 0)
            """;
        var total = await c.ExecuteScalarAsync<long>(new CommandDefinition($"select count(*) from deliveries d {where}", args, cancellationToken: ct));
        var rows = await c.QueryAsync<DeliveryDb>(new CommandDefinition(
            $"""
            select d.id, d.subscriber_id as SubscriberId, s.email, d.state, d.attempts, d.last_reply as LastReply,
                   d.last_attempt_at as LastAttemptAt, d.sent_at as SentAt
              from deliveries d join subscribers s on s.id = d.subscriber_id {where}
             order by d.id limit @limit offset @offset
            """, args, cancellationToken: ct));
        return (rows.Select(r => new DeliveryRow(r.Id, r.SubscriberId, r.Email, r.State, r.Attempts, r.LastReply, UtcTimes.Of(r.LastAttemptAt), UtcTimes.Of(r.SentAt))).ToList(), total);
    }


    private sealed record DeliveryDb(long Id, long SubscriberId, string Email, string State, int Attempts, string? LastReply, DateTime? LastAttemptAt, DateTime? SentAt);
}
