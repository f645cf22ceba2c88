using Microsoft.Extensions.Options;
using Npgsql;

namespace Newsletter.Sender.Editions;

/// <summary>
/// Runs the delivery loops: each claims a batch of due edition deliveries, sends it and records it; loop 0 also
/// takes back expired claims, probes a failing relay and drains the outbox. On a stop (SIGTERM) the loops claim no
/// more, the messages in flight finish and every outcome is recorded (see <see cref="DeliveryShutdown"/>).
/// </summary>
internal sealed class DeliveryWorker(
    NpgsqlDataSource db, DeliveryClaims claims, OutboxSender outbox, EditionSender editions, SendSlots slots, DeliverySignal signal,
    RelayHealth relay, DeliveryShutdown shutdown, IOptions<DeliveryOptions> options, ILogger<DeliveryWorker> logger, TimeProvider time)
    : BackgroundService
{
    private DateTimeOffset nextReclaim;

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        shutdown.Begin();
        await base.StopAsync(cancellationToken);
        logger.LogInformation("delivery worker {Instance} stopped", claims.Instance);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        logger.LogInformation("delivery worker {Instance} started with {Loops} loops and {Slots} send slots", claims.Instance, options.Value.Workers, slots.Count);
        // Several claim/send/record loops share the send slots: while one loop records its batch or claims the next,
        // the others keep every connection busy.
        var loops = Enumerable.Range(0, options.Value.Workers).Select(i => RunLoopAsync(i, stoppingToken)).ToArray();
        await Task.WhenAll(loops);
    }

    private async Task RunLoopAsync(int index, CancellationToken stoppingToken)
    {
        await Task.Yield();
        var sweepWhenIdle = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            var worked = 0;
            try
            {
                if (index == 0)
                {
                    if (time.GetUtcNow() >= nextReclaim)
                    {
                        await claims.ReclaimExpiredAsync(stoppingToken);
                        nextReclaim = time.GetUtcNow().AddSeconds(15);
                    }
                    await relay.ProbeIfDueAsync(stoppingToken);
                    worked += await outbox.SendBatchAsync(stoppingToken);
                }
                worked += await editions.SendBatchAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                // The database went away for a moment, or a bug: nothing is lost (claims expire and are retried),
                // and the worker must outlive it rather than stop the host.
                logger.LogError(e, "delivery worker: {Error}; retrying", e.Message);
                await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            if (worked > 0) sweepWhenIdle = true;
            else if (sweepWhenIdle && !stoppingToken.IsCancellationRequested)
            {
                // The queue just ran dry for this loop: an edition whose last batch was a full one was not checked
                // after it (see OutcomeRecorder); check every sending edition once now.
                sweepWhenIdle = false;
                try
                {
                    await using var connection = await db.OpenConnectionAsync(stoppingToken);
                    await EditionTransitions.FinishAsync(connection, null, stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    logger.LogError(e, "delivery worker: {Error}; the periodic sweep will finish the edition", e.Message);
                }
            }
            if (worked == 0)
            {
                await signal.WaitAsync(options.Value.PollInterval, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }
}
