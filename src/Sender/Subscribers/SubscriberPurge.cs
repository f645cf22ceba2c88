using Dapper;
using Microsoft.Extensions.Options;
using Newsletter.Sender.Configuration;
using Newsletter.Subscribers;
using Npgsql;

namespace Newsletter.Sender.Subscribers;

/// <summary>
/// Data minimisation: signups never confirmed are deleted <c>Subscribers__PendingRetention</c> (30 days) after their
/// last signup, with their consents, tokens and mails; per-address signup attempts older than 2 days go too (the
/// limit looks back 24 hours).
/// </summary>
public sealed class SubscriberPurge(NpgsqlDataSource db, SubscriberSettings settings, TimeProvider time)
{
    public static readonly TimeSpan AttemptRetention = TimeSpan.FromDays(2);
    private const int Batch = 5000;

    public async Task<(int Pending, int Attempts)> PurgeAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var pendingCutoff = now - settings.PendingRetention;
        var attemptCutoff = now - AttemptRetention;
        int pending = 0, attempts = 0, n;
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        // In batches, so no statement holds many row locks for long.
        do
        {
            n = await connection.ExecuteAsync(new CommandDefinition(
                """
                delete from subscribers where id in (
                    select id from subscribers
                    where status = 'pending' and confirmed_at is null and status_changed_at < @pendingCutoff and created_at < @pendingCutoff
                    limit @batch for update skip locked)
                """, new { pendingCutoff, batch = Batch }, cancellationToken: cancellationToken));
            pending += n;
        }
        while (n == Batch);
        do
        {
            n = await connection.ExecuteAsync(new CommandDefinition(
                "delete from signup_attempts where ctid in (select ctid from signup_attempts where at < @attemptCutoff limit @batch)",
                new { attemptCutoff, batch = Batch * 4 }, cancellationToken: cancellationToken));
            attempts += n;
        }
        while (n == Batch * 4);
        return (pending, attempts);
    }
}

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
