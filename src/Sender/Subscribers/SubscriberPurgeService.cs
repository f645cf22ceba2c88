using Microsoft.Extensions.Options;
using Newsletter.Sender.Configuration;
using Newsletter.Subscribers;

namespace Newsletter.Sender.Subscribers;

/// <summary>Runs <see cref="SubscriberPurge"/> hourly; not in <c>Service__Role=Web</c> instances.</summary>
public sealed class SubscriberPurgeService(SubscriberPurge purge, IOptions<ServiceOptions> service, ILogger<SubscriberPurgeService> logger, TimeProvider time)
    : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (service.Value.Role == ServiceRole.Web) return;
        // A little after start-up, so migrations and the first requests go first.
        await Task.Delay(TimeSpan.FromMinutes(1), time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var (pending, attempts) = await purge.PurgeAsync(stoppingToken);
                if (pending + attempts > 0) logger.LogInformation("purged {Pending} unconfirmed signups and {Attempts} old signup attempts", pending, attempts);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                logger.LogError(e, "subscriber purge failed: {Error}; next try in an hour", e.Message);
            }
            await Task.Delay(Interval, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }
}
