using Microsoft.Extensions.Options;
using Newsletter.Sender.Configuration;
using Quartz;

namespace Newsletter.Sender.Scheduling;

public static class SchedulingExtensions
{
    /// <summary>
    /// Quartz.NET with its ADO job store in our PostgreSQL database (tables qrtz_*, created by migration 0300),
    /// clustered: every instance runs a scheduler, and each firing runs on exactly one of them.
    /// </summary>
    public static IHostApplicationBuilder AddScheduling(this IHostApplicationBuilder builder)
    {
        var role = builder.Configuration.GetValue($"{ServiceOptions.Section}:{nameof(ServiceOptions.Role)}", ServiceRole.All);
        var enabled = builder.Configuration.GetValue($"{ScheduleOptions.Section}:{nameof(ScheduleOptions.Enabled)}", true);
        if (role == ServiceRole.Web || !enabled) return builder;

        builder.Services.AddQuartz(q =>
        {
            q.ConfigureScheduler(s =>
            {
                s.InstanceName = "newsletter";
                s.GenerateInstanceId = true; // unique per process: the cluster tells instances apart by it
            });
            q.UsePersistentStore(store =>
            {
                store.UseDataSource(db =>
                {
                    db.Provider = "Npgsql";
                    db.ConnectionStringName = "Newsletter";
                });
                store.ConfigureStore(s =>
                {
                    s.TablePrefix = "qrtz_";
                    s.StoreJobDataAsStrings = true;
                    s.SchemaProvisioning = SchemaProvisioning.None; // migration 0300 creates the tables
                });
                store.UseSystemTextJsonSerializer(_ => { });
                store.UseClustering(c =>
                {
                    c.CheckinInterval = TimeSpan.FromSeconds(10);
                    c.CheckinMisfireThreshold = TimeSpan.FromSeconds(30);
                });
            });
            q.AddJob<WeeklyEditionJob>(j => j.WithIdentity(WeeklyEditionJob.Key).StoreDurably().RequestRecovery());
        });
        builder.Services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
        builder.Services.AddHostedService<ScheduleSynchronizer>();
        return builder;
    }
}

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
