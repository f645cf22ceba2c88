using Microsoft.Extensions.Options;

namespace Newsletter.Sender.Editions;

/// <summary>
/// Queues the remaining deliveries of started editions, a chunk per transaction, while the workers already send the
/// first ones. Any instance may do it (the edition's row is the lock), and after a crash the next poll carries on
/// from the edition's cursor. Not in <c>Service__Role=Web</c> instances.
/// </summary>
public sealed class EditionQueuer(EditionService editions, DeliverySignal signal, ILogger<EditionQueuer> logger, TimeProvider time)
    : BackgroundService
{
    /// <summary>How often the queuer looks for editions to queue (the query reads the small editions table).</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                foreach (var id in await editions.ListQueueingAsync(stoppingToken))
                {
                    for (var chunks = 1; ; chunks++)
                    {
                        var (queued, more) = await editions.QueueNextChunkAsync(id, stoppingToken);
                        if (!queued) break; // done, or another instance holds the edition: nothing for us to do
                        signal.Poke();
                        // Fresh statistics as the deliveries table grows (after chunks 1, 2, 4, 8, ... and the last):
                        // with stale ones the planner takes the new rows for a handful and sorts every due delivery
                        // on each claim instead of walking the due index.
                        if (!more || (chunks & (chunks - 1)) == 0) await editions.AnalyzeDeliveriesAsync(stoppingToken);
                        if (!more) break;
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                // The database went away for a moment: the cursor is where the last committed chunk left it.
                logger.LogError(e, "edition queueing: {Error}; retrying", e.Message);
                await Task.Delay(TimeSpan.FromSeconds(2), time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            await Task.Delay(Interval, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }
}
