using Newsletter.Database;
using System.Globalization;
using Microsoft.Extensions.Options;
using Newsletter.Sender.Admin.Pages;
using Newsletter.Sender.Editions;
using Newsletter.Sender.Jobs;
using Hangfire;
using Hangfire.Storage;
using Newsletter.Sender.Public;

namespace Newsletter.Sender.Admin;

/// <summary>The start page (<c>/admin</c>) and the progress of a sending edition, polled by admin.js.</summary>
internal static class AdminDashboardEndpoints
{
    public static RouteGroupBuilder MapAdminDashboard(this RouteGroupBuilder admin)
    {
        admin.MapGet("", DashboardAsync);
        admin.MapGet("/editions/{id:long}/progress.json", ProgressAsync);
        return admin;
    }

    private static async Task<IResult> DashboardAsync(HttpContext http, Newsletter.Subscribers.SubscriberAdmin subscribers, Newsletter.Comparisons.ComparisonStore comparisons, EditionService editions, ScheduleDescription schedule,
        IOptions<ScheduleOptions> scheduleOptions, JobStorage jobs, Newsletter.Sender.Editions.EditionReports reports, Newsletter.Sender.Jobs.WebhookFailures webhooks,
        IOptions<Newsletter.Subscribers.BouncesOptions> bounces, Npgsql.NpgsqlDataSource db,
        ILogger<DashboardModel> logger, CancellationToken ct)
    {
        var o = scheduleOptions.Value;
        // The next send as Hangfire stored it (the recurring job is absent when Schedule__Enabled=false).
        bool enabled;
        DateTimeOffset? next;
        string? lastState = null, lastJobId = null;
        try
        {
            using var connection = jobs.GetConnection();
            var weekly = connection.GetRecurringJobs([WeeklyEditionJob.Id]).FirstOrDefault(j => !j.Removed);
            enabled = weekly is not null;
            next = UtcTimes.Of(weekly?.NextExecution);
            (lastState, lastJobId) = (weekly?.LastJobState, weekly?.LastJobId);
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException or InvalidOperationException)
        {
            logger.LogWarning("the schedule could not be read from Hangfire: {Error}", e.Message);
            (enabled, next) = (o.Enabled, o.Enabled ? schedule.Next() : null);
        }
        string? local = null;
        if (next is not null)
        {
            var zone = TimeZoneInfo.FindSystemTimeZoneById(o.TimeZone);
            local = TimeZoneInfo.ConvertTime(next.Value, zone).ToString("dddd d MMMM yyyy, HH:mm", CultureInfo.InvariantCulture) + " " + o.TimeZone;
        }
        var model = new DashboardModel(
            await AdminSubscriberEndpoints.StatusCountsAsync(subscribers, ct),
            (await subscribers.ConfirmedPerWeekAsync(12, ct)).Select(w => new WeekCount(w.WeekStart, w.Count)).ToList(), next, local, schedule.Describe(), enabled,
            (await editions.ListAsync(8, ct)).Select(AdminQueries.Progress).ToList(), await comparisons.CountUnsentAsync(ct), lastState, lastJobId,
            bounces.Value.Imap.Enabled ? await MailboxAsync(db, ct) : null);
        var (failedHooks, retrying) = await webhooks.RecentAsync(5, ct);
        model = model with { Rates = await reports.RecentRatesAsync(12, ct), WebhookFailures = failedHooks, WebhooksRetrying = retrying };
        return AdminResults.Page<DashboardPage>(http, "dashboard", new Dictionary<string, object?> { ["Model"] = model });
    }

    private static async Task<BounceMailboxView> MailboxAsync(Npgsql.NpgsqlDataSource db, CancellationToken ct)
    {
        var s = await Newsletter.Subscribers.BounceMailbox.StatusAsync(db, ct);
        return new BounceMailboxView(UtcTimes.Of(s?.LastAnsweredAt), s?.LastErrorAt > s?.LastAnsweredAt || s?.LastAnsweredAt is null ? s?.LastError : null, UtcTimes.Of(s?.LastErrorAt));
    }

    private static async Task<IResult> ProgressAsync(long id, EditionService editions, CancellationToken ct)
    {
        var e = await editions.GetAsync(id, ct);
        if (e is null) return TypedResults.Problem(title: "Edition not found", detail: $"There is no edition {id}.", statusCode: StatusCodes.Status404NotFound);
        var p = AdminQueries.Progress(e);
        return TypedResults.Json(new
        {
            p.Id, State = p.StateName, p.Recipients, p.Sent, p.Deferred, p.Failed, p.Pending, p.Skipped, p.Total, p.Percent,
            Done = p.IsDone,
            PollSeconds = AdminQueries.ProgressPollSeconds(p.Recipients),
        });
    }
}
