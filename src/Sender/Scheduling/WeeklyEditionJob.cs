using Microsoft.Extensions.Options;
using Newsletter.Sender.Configuration;
using Newsletter.Sender.Delivery;
using Newsletter.Sender.Editions;
using Quartz;

namespace Newsletter.Sender.Scheduling;

/// <summary>
/// The weekly send. Quartz runs it once across the cluster for each firing of the cron trigger; the edition it
/// creates is keyed by the schedule slot (the scheduled fire time), so a retry or a second instance cannot create
/// two editions for one week. When every instance was down at the scheduled time, Quartz fires the missed slot on
/// start-up with its original scheduled time (misfire instruction IgnoreMisfires: "fire now and proceed" would
/// report the late firing as on time); if it is more than <c>Schedule__MaxLateness</c> late, the edition is recorded
/// as skipped (late) for an admin to send by hand instead of surprising readers on a Tuesday night.
/// </summary>
[DisallowConcurrentExecution]
public sealed class WeeklyEditionJob(EditionService editions, DeliverySignal signal, IOptions<ScheduleOptions> schedule,
    TimeProvider time, ILogger<WeeklyEditionJob> logger) : IJob
{
    public static readonly JobKey Key = new("weekly-edition", "newsletter");
    public static readonly TriggerKey TriggerKey = new("weekly-edition-trigger", "newsletter");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var slot = context.ScheduledFireTimeUtc ?? context.FireTimeUtc;
        var late = time.GetUtcNow() - slot;
        if (late > schedule.Value.MaxLateness)
        {
            var skipped = await editions.RecordLateAsync(slot, late, cancellationToken);
            logger.LogWarning("weekly edition for {Slot} is {Late} late: recorded as skipped (edition {Id}); send it by hand", slot, late, skipped.Id);
            return;
        }
        var edition = await editions.CreateAndStartAsync(slot, cancellationToken);
        signal.Poke();
        logger.LogInformation("weekly edition for {Slot}: edition {Id} is {State} ({Recipients} recipients)", slot, edition.Id, edition.State, edition.Recipients);
    }
}
