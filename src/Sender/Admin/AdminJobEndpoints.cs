using Microsoft.Extensions.Options;
using Newsletter.Sender.Admin.Pages;
using Newsletter.Sender.Configuration;
using Newsletter.Sender.Editions;
using Newsletter.Sender.Web;
using Quartz;

namespace Newsletter.Sender.Admin;

/// <summary>The scheduler (<c>/admin/jobs</c>): the weekly trigger and the instances of the cluster.</summary>
internal static class AdminJobEndpoints
{
    public static RouteGroupBuilder MapAdminJobs(this RouteGroupBuilder admin)
    {
        admin.MapGet("/jobs", JobsAsync);
        return admin;
    }

    private static async Task<IResult> JobsAsync(HttpContext http, IOptions<ScheduleOptions> options, IOptions<ServiceOptions> service, ScheduleDescription schedule,
        AdminQueries queries, TimeProvider time, CancellationToken ct)
    {
        var o = options.Value;
        var enabled = o.Enabled && service.Value.Role != ServiceRole.Web;
        DateTimeOffset? previous = null, next = null;
        string? state = null, error = null;
        var factory = http.RequestServices.GetService<ISchedulerFactory>();
        if (enabled && factory is not null)
        {
            try
            {
                var scheduler = await factory.GetScheduler(ct);
                var trigger = await scheduler.GetTrigger(Scheduling.WeeklyEditionJob.TriggerKey, ct);
                if (trigger is null) error = "The weekly trigger is not stored yet (the scheduler is starting).";
                else
                {
                    previous = trigger.PreviousFireTimeUtc;
                    next = trigger.NextFireTimeUtc;
                    state = (await scheduler.GetTriggerState(trigger.Key, ct)).ToString();
                }
            }
            catch (SchedulerException e)
            {
                error = "The scheduler did not answer: " + e.Message;
            }
        }
        IReadOnlyList<InstanceRow> instances = [];
        try
        {
            instances = await queries.SchedulerInstancesAsync(time.GetUtcNow(), ct);
        }
        catch (Npgsql.PostgresException e)
        {
            error ??= "The cluster table could not be read: " + e.MessageText;
        }
        var model = new JobsModel(enabled, o.Cron, o.TimeZone, schedule.Describe(), previous, next, state, instances, error);
        return AdminResults.Page<JobsPage>(http, "jobs", new Dictionary<string, object?> { ["Model"] = model });
    }
}
