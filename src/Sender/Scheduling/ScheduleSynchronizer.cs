using Microsoft.Extensions.Options;
using Newsletter.Sender.Configuration;
using Quartz;

namespace Newsletter.Sender.Scheduling;

/// <summary>
/// Keeps the stored weekly trigger in step with Schedule__Cron and Schedule__TimeZone. The trigger is replaced only
/// when the schedule changed: replacing it at every start would forget a misfire (the send missed while every
/// instance was down), which Quartz only notices on a trigger it kept.
/// </summary>
public sealed class ScheduleSynchronizer(ISchedulerFactory schedulers, IOptions<ScheduleOptions> options, ILogger<ScheduleSynchronizer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        var zone = TimeZoneInfo.FindSystemTimeZoneById(o.TimeZone);
        var scheduler = await schedulers.GetScheduler(stoppingToken);
        var existing = await scheduler.GetTrigger(WeeklyEditionJob.TriggerKey, stoppingToken) as ICronTrigger;
        if (existing is not null && existing.CronExpressionString == o.Cron && existing.TimeZone.Id == zone.Id) return;

        var trigger = TriggerBuilder.Create()
            .WithIdentity(WeeklyEditionJob.TriggerKey)
            .ForJob(WeeklyEditionJob.Key)
            .WithCronSchedule(o.Cron, c => c.InTimeZone(zone).WithMisfireInstruction(CronTriggerMisfireInstruction.IgnoreMisfires))
            .Build();
        // Keep: two instances starting together must not both create it (the second keeps the first one's).
        if (existing is null) await scheduler.ScheduleTrigger(trigger, TriggerConflict.Keep, stoppingToken);
        else await scheduler.RescheduleJob(WeeklyEditionJob.TriggerKey, trigger, stoppingToken);
        logger.LogInformation("weekly schedule set: {Cron} ({Zone}), next at {Next}", o.Cron, o.TimeZone, trigger.GetFireTimeAfter(DateTimeOffset.UtcNow));
    }
}
