using Newsletter.Database;
using Newsletter.Sender.Editions;
using Newsletter.Subscribers;
using System.Diagnostics.Metrics;
using Dapper;
using Npgsql;

namespace Newsletter.Sender.Hosting;

/// <summary>
/// <c>newsletter_deliveries_due</c> (edition deliveries and outbox mails waiting to be sent) and
/// <c>newsletter_edition_progress_ratio</c> (per sending or paused edition, finished deliveries over recipients). A
/// scrape never waits for the database: it reads the last figures, and starts a refresh when they are older than
/// <see cref="MaxAge"/>, so several scrapers (or instances) cost at most one pair of queries every few seconds.
/// </summary>
public sealed class QueueGauges : IDisposable
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(5);
    private static readonly string OutboxDue = DbValue.Sql(OutboxState.Pending, OutboxState.Deferred);
    private readonly NpgsqlDataSource db;
    private readonly TimeProvider time;
    private readonly ILogger<QueueGauges> logger;
    private readonly Meter meter;
    private Snapshot current = new(0, 0, [], DateTimeOffset.MinValue);
    private int refreshing;

    private sealed record Snapshot(long Deliveries, long Outbox, (long Edition, double Ratio)[] Progress, DateTimeOffset At);

    public QueueGauges(NpgsqlDataSource db, TimeProvider time, IMeterFactory meters, ILogger<QueueGauges> logger)
    {
        this.db = db;
        this.time = time;
        this.logger = logger;
        meter = meters.Create(NewsletterTelemetry.Name);
        meter.CreateObservableGauge("newsletter.deliveries.due", ObserveDue, "{message}", "Messages due or waiting for a retry (kind: edition, transactional)");
        meter.CreateObservableGauge("newsletter.edition.progress.ratio", ObserveProgress, null, "Finished deliveries over recipients of each sending or paused edition");
    }

    /// <summary>Reads the figures now (tests; the first scrape after start).</summary>
    public async Task RefreshAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        // Both counts walk the partial "due" indexes; the progress only the editions still open (few) by (edition_id, state).
        var (deliveries, outbox) = await connection.QuerySingleAsync<(long, long)>(new CommandDefinition(
            $"""
            select (select count(*) from deliveries where state in ({StateSets.DueDeliveries})),
                   (select count(*) from outbox where state in ({OutboxDue}))
            """, cancellationToken: ct));
        // The progress of each open edition from the same counts the console, the report and the API show.
        var open = (await connection.QueryAsync<(long Id, int Recipients)>(new CommandDefinition(
            $"select id, recipients from editions where state in ({StateSets.OpenEditions})", cancellationToken: ct))).ToArray();
        var counts = await DeliveryCounts.ReadAsync(connection, open.Select(e => e.Id).ToArray(), ct);
        var progress = open.Select(e => (e.Id, e.Recipients == 0 ? 0 : (double)counts[e.Id].Settled / e.Recipients)).ToArray();
        current = new Snapshot(deliveries, outbox, progress, time.GetUtcNow());
    }

    private IEnumerable<Measurement<long>> ObserveDue()
    {
        var s = Fresh();
        return [new(s.Deliveries, new KeyValuePair<string, object?>("kind", "edition")), new(s.Outbox, new KeyValuePair<string, object?>("kind", "transactional"))];
    }

    private IEnumerable<Measurement<double>> ObserveProgress()
        => Fresh().Progress.Select(p => new Measurement<double>(p.Ratio, new KeyValuePair<string, object?>("edition", p.Edition)));

    private Snapshot Fresh()
    {
        var s = current;
        if (time.GetUtcNow() - s.At > MaxAge && Interlocked.CompareExchange(ref refreshing, 1, 0) == 0)
        {
            _ = Task.Run(async () =>
            {
                try
                {
                    await RefreshAsync(CancellationToken.None);
                }
                catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
                {
                    // The database is away: the gauges keep their last figures, /healthz says why.
                    logger.LogDebug("queue gauges not refreshed: {Error}", e.Message);
                }
                finally
                {
                    Volatile.Write(ref refreshing, 0);
                }
            });
        }
        return s;
    }

    public void Dispose() => meter.Dispose();
}
