using Hangfire;
using Microsoft.Extensions.Options;

namespace Newsletter.Sender.Jobs;

/// <summary>
/// Stores the recurring jobs at start-up: the weekly edition from Schedule__Cron and Schedule__TimeZone (removed when
/// Schedule__Enabled=false) and the hourly subscriber purge. AddOrUpdate takes Hangfire's lock on the job, so two
/// instances starting together store it once, and it keeps the stored next run when the schedule did not change, so
/// a run missed while every instance was down still fires. Retries until the database answers.
/// </summary>
public sealed class RecurringJobsSynchronizer(IRecurringJobManager jobs, IOptions<ScheduleOptions> options, TimeProvider time,
    ILogger<RecurringJobsSynchronizer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        for (var attempt = 1; !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                Synchronize();
                return;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError("storing the recurring jobs failed (attempt {Attempt}): {Error}; retrying", attempt, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(30, attempt * 2)), time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private void Synchronize()
    {
        var o = options.Value;
        if (o.Enabled)
        {
            var zone = TimeZoneInfo.FindSystemTimeZoneById(o.TimeZone);
            // Strict: a missed run fires with its own scheduled time, so the job can tell how late it is
            // (Relaxed would stamp it with the start-up time, and every late send would look on time).
            jobs.AddOrUpdate<WeeklyEditionJob>(WeeklyEditionJob.Id, j => j.RunAsync(null, CancellationToken.None), o.Cron,
                new RecurringJobOptions { TimeZone = zone, MisfireHandling = MisfireHandlingMode.Strict });
            logger.LogInformation("weekly schedule set: {Cron} ({Zone}), next at {Next}", o.Cron, o.TimeZone, WeeklyCron.Next(o.Cron, zone, time.GetUtcNow()));
        }
        else
        {
            jobs.RemoveIfExists(WeeklyEditionJob.Id);
        }
        // Relaxed: after downtime one purge catches up; the missed hours need no runs of their own.
        jobs.AddOrUpdate<SubscriberPurgeJob>(SubscriberPurgeJob.Id, j => j.RunAsync(CancellationToken.None), SubscriberPurgeJob.Cron,
            new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc, MisfireHandling = MisfireHandlingMode.Relaxed });
    }
}
