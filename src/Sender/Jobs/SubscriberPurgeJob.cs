using Hangfire;
using Newsletter.Subscribers;

namespace Newsletter.Sender.Jobs;

/// <summary>
/// Runs <see cref="SubscriberPurge"/> as an hourly Hangfire recurring job (on one instance of the cluster, never in
/// <c>Service__Role=Web</c> instances, which run no Hangfire server). A failed run is not retried: the next hour's
/// run is the retry, and the failure stays visible in the dashboard (/admin/jobs).
/// </summary>
public sealed class SubscriberPurgeJob(SubscriberPurge purge, ILogger<SubscriberPurgeJob> logger)
{
    public const string Id = "subscriber-purge";

    /// <summary>Every hour, on the hour.</summary>
    public const string Cron = "0 * * * *";

    [AutomaticRetry(Attempts = 0)]
    [JobDisplayName("Subscriber retention purge")]
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var (pending, attempts) = await purge.PurgeAsync(cancellationToken);
        if (pending + attempts > 0) logger.LogInformation("purged {Pending} unconfirmed signups and {Attempts} old signup attempts", pending, attempts);
    }
}
