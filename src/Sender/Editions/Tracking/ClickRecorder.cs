using System.Threading.Channels;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Newsletter.Sender.Editions;

/// <summary>
/// Counts clicks off the request path: the redirect only queues the click here, and a background loop adds each
/// interval's clicks to the counter rows, one transaction a batch (one upsert per link, not per click). A reader is never
/// kept waiting by the database, and a failed write loses at most that interval's counts, never a redirect. Each
/// flush drains what was queued when it began, in batches, so the counters keep up with more clicks a second than
/// one batch holds. The queue is bounded: under a flood the database cannot keep up with, clicks beyond it are
/// dropped rather than memory grown, and the next flush logs how many.
/// </summary>
public sealed class ClickRecorder(NpgsqlDataSource db, IOptions<TrackingOptions> options, ILogger<ClickRecorder> logger) : BackgroundService
{
    private readonly Channel<Click> queue = Channel.CreateBounded<Click>(new BoundedChannelOptions(100_000)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });

    private const int BatchSize = 50_000;
    private readonly SemaphoreSlim flushing = new(1, 1); // the queue has one reader: the loop's flush and a test's never overlap
    private long dropped;

    /// <summary>Queues a click; never blocks, never throws.</summary>
    public void Record(Click click)
    {
        if (!queue.Writer.TryWrite(click)) Interlocked.Increment(ref dropped);
    }

    /// <summary>Writes what is queued now (the loop calls it every <c>Tracking__FlushInterval</c>; tests call it to read at once).</summary>
    public async Task FlushAsync(CancellationToken ct)
    {
        await flushing.WaitAsync(ct);
        try
        {
            await DrainAsync(ct);
        }
        finally
        {
            flushing.Release();
        }
        var lost = Interlocked.Exchange(ref dropped, 0);
        if (lost > 0) logger.LogWarning("{Count} clicks arrived faster than they could be recorded and were not counted", lost);
    }

    public override void Dispose()
    {
        flushing.Dispose();
        base.Dispose();
    }

    private async Task DrainAsync(CancellationToken ct)
    {
        // What arrives while this runs waits for the next flush, so a steady stream cannot keep one flush going.
        var left = queue.Reader.Count;
        var batch = new List<Click>(Math.Min(left, BatchSize));
        while (left > 0)
        {
            batch.Clear();
            while (batch.Count < BatchSize && left > 0 && queue.Reader.TryRead(out var c))
            {
                batch.Add(c);
                left--;
            }
            if (batch.Count == 0) break;
            try
            {
                await WriteAsync(batch, ct);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                // Counting must never take the service down or hold the redirect up: the batch's counts are dropped.
                logger.LogWarning("recording {Count} clicks failed ({Error}); they are not counted", batch.Count, e.Message);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.FlushInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken)) await FlushAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        // What came in since the last tick is written on the way out.
        using var last = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await FlushAsync(last.Token);
        }
        catch (OperationCanceledException)
        {
            logger.LogWarning("the last clicks were not recorded before shutdown");
        }
    }

    private async Task WriteAsync(List<Click> batch, CancellationToken ct)
    {
        var links = batch.Where(c => c.LinkId > 0).ToList();
        var readers = links.Where(c => !c.Machine && c.SubscriberId is not null)
            .GroupBy(c => (c.EditionId, c.LinkId, Subscriber: c.SubscriberId!.Value))
            .Select(g => (g.Key, First: g.Min(c => c.At), Last: g.Max(c => c.At), Count: g.Count()))
            .OrderBy(r => r.Key).ToList();
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var fresh = new Dictionary<(long, int), int>();
        if (readers.Count > 0)
        {
            // xmax = 0 marks a row this statement inserted: a reader's first click on the link, one more unique click.
            var inserted = await connection.QueryAsync<(long EditionId, int LinkId)>(new CommandDefinition(
                """
                with v as (
                    insert into edition_link_readers as r (edition_id, link_id, subscriber_id, first_at, last_at, clicks)
                    select v.e, v.l, v.s, v.f, v.t, v.n from unnest(@editions, @links, @subscribers, @firsts, @lasts, @counts) as v(e, l, s, f, t, n)
                    where exists (select 1 from subscribers s where s.id = v.s and s.status <> 'erased')
                    on conflict (edition_id, link_id, subscriber_id) do update set last_at = excluded.last_at, clicks = r.clicks + excluded.clicks
                    returning r.edition_id, r.link_id, (r.xmax = 0) as inserted)
                select edition_id, link_id from v where inserted
                """,
                new
                {
                    editions = readers.Select(r => r.Key.EditionId).ToArray(),
                    links = readers.Select(r => r.Key.LinkId).ToArray(),
                    subscribers = readers.Select(r => r.Key.Subscriber).ToArray(),
                    firsts = readers.Select(r => r.First).ToArray(),
                    lasts = readers.Select(r => r.Last).ToArray(),
                    counts = readers.Select(r => r.Count).ToArray(),
                }, tx, cancellationToken: ct));
            foreach (var key in inserted) fresh[key] = fresh.GetValueOrDefault(key) + 1;
        }
        var counters = links.GroupBy(c => (c.EditionId, c.LinkId)).OrderBy(g => g.Key)
            .Select(g => (g.Key, Clicks: g.Count(c => !c.Machine), Machine: g.Count(c => c.Machine), Unique: fresh.GetValueOrDefault(g.Key))).ToList();
        if (counters.Count > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                """
                insert into edition_link_stats as s (edition_id, link_id, clicks, machine_clicks, unique_clicks)
                select * from unnest(@editions, @links, @clicks, @machine, @unique)
                on conflict (edition_id, link_id) do update set clicks = s.clicks + excluded.clicks,
                    machine_clicks = s.machine_clicks + excluded.machine_clicks, unique_clicks = s.unique_clicks + excluded.unique_clicks
                """,
                new
                {
                    editions = counters.Select(c => c.Key.EditionId).ToArray(),
                    links = counters.Select(c => c.Key.LinkId).ToArray(),
                    clicks = counters.Select(c => (long)c.Clicks).ToArray(),
                    machine = counters.Select(c => (long)c.Machine).ToArray(),
                    unique = counters.Select(c => (long)c.Unique).ToArray(),
                }, tx, cancellationToken: ct));
        }
        var opens = batch.Where(c => c.LinkId == 0).GroupBy(c => c.EditionId).OrderBy(g => g.Key)
            .Select(g => (Edition: g.Key, Opens: g.Count(c => !c.Machine), Machine: g.Count(c => c.Machine))).ToList();
        if (opens.Count > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                """
                insert into edition_open_stats as s (edition_id, opens, machine_opens)
                select v.e, v.o, v.m from unnest(@editions, @opens, @machine) as v(e, o, m) where exists (select 1 from editions where id = v.e)
                on conflict (edition_id) do update set opens = s.opens + excluded.opens, machine_opens = s.machine_opens + excluded.machine_opens
                """,
                new
                {
                    editions = opens.Select(o => o.Edition).ToArray(),
                    opens = opens.Select(o => (long)o.Opens).ToArray(),
                    machine = opens.Select(o => (long)o.Machine).ToArray(),
                }, tx, cancellationToken: ct));
        }
        await tx.CommitAsync(ct);
    }
}
