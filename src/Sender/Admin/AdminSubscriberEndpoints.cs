using Newsletter.Sender.Editions;
using Newsletter.Database;
using System.Globalization;
using System.Text;
using Newsletter.Sender.Admin.Pages;
using Newsletter.Subscribers;

namespace Newsletter.Sender.Admin;

/// <summary>The subscriber list (<c>/admin/subscribers</c>): search, CSV export, one subscriber's record and erasure.</summary>
internal static class AdminSubscriberEndpoints
{
    public static RouteGroupBuilder MapAdminSubscribers(this RouteGroupBuilder admin)
    {
        admin.MapGet("/subscribers", SubscribersAsync);
        admin.MapGet("/subscribers/export.csv", ExportAsync);
        admin.MapGet("/subscribers/{id:long}", SubscriberAsync);
        admin.MapGet("/subscribers/{id:long}/erase", ConfirmEraseAsync);
        admin.MapPost("/subscribers/{id:long}/erase", EraseAsync);
        return admin;
    }

    private static async Task<IResult> SubscribersAsync(HttpContext http, string? q, string? status, int? page, string? erased, SubscriberAdmin subscribers, CancellationToken ct)
    {
        var (query, filter) = SubscriberFilter(q, status);
        var found = await subscribers.SearchAsync(query, filter, Math.Clamp(page ?? 1, 1, 100_000), ct);
        var model = new SubscribersModel(found.Items.Select(Row).ToList(), query, filter, found.Page, found.Total, found.PageSize,
            await StatusCountsAsync(subscribers, ct), erased == "1" ? "The subscriber was erased." : null);
        return AdminResults.Page<SubscribersPage>(http, "subscribers", new Dictionary<string, object?> { ["Model"] = model });
    }

    internal static async Task<IReadOnlyList<StatusCount>> StatusCountsAsync(SubscriberAdmin subscribers, CancellationToken ct)
        => (await subscribers.CountByStatusAsync(ct)).Select(s => new StatusCount(s.Status, s.Count)).ToList();

    private static (string? Query, string? Status) SubscriberFilter(string? q, string? status)
        => (string.IsNullOrWhiteSpace(q) ? null : q.Trim()[..Math.Min(q.Trim().Length, 254)], status is not null && SubscriberAdmin.Statuses.Contains(status) ? status : null);

    /// <summary>The list as the console shows it (the search's filter), not the re-importable export of <c>/api/subscribers/export</c>.</summary>
    private static async Task ExportAsync(HttpContext http, string? q, string? status, SubscriberAdmin subscribers, CancellationToken ct)
    {
        var (query, filter) = SubscriberFilter(q, status);
        http.Response.ContentType = "text/csv; charset=utf-8";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"subscribers-{filter ?? "all"}.csv\"";
        await using var csv = new SubscriberCsvWriter(http.Response.Body);
        foreach (var name in (string[])["id", "email", "status", "created_at", "confirmed_at"]) csv.WriteField(name);
        await csv.EndRecordAsync(ct);
        await foreach (var s in subscribers.SearchAllAsync(query, filter, ct))
        {
            csv.WriteField(s.Id.ToString(CultureInfo.InvariantCulture));
            csv.WriteText(s.Email);
            csv.WriteField(s.Status);
            csv.WriteField(AdminFormat.Iso(UtcTimes.Of(s.CreatedAt)));
            csv.WriteField(AdminFormat.Iso(UtcTimes.Of(s.ConfirmedAt)));
            await csv.EndRecordAsync(ct);
        }
        await csv.FlushAsync(ct);
    }

    private static async Task<IResult> SubscriberAsync(HttpContext http, long id, SubscriberAdmin subscribers, SubscriberActivity activity, CancellationToken ct)
        => await subscribers.GetDetailAsync(id, ct) is { } detail
            ? AdminResults.Page<Pages.SubscriberPage>(http, "subscribers", new Dictionary<string, object?> { ["Model"] = Detail(await activity.AddToAsync(detail, ct)) })
            : AdminResults.NotFound(http, $"subscriber {id}");

    private static async Task<IResult> ConfirmEraseAsync(HttpContext http, long id, SubscriberAdmin subscribers, SubscriberActivity activity, CancellationToken ct)
        => await subscribers.GetDetailAsync(id, ct) is { } detail
            ? AdminResults.Page<EraseConfirmPage>(http, "subscribers", new Dictionary<string, object?> { ["Model"] = Detail(await activity.AddToAsync(detail, ct)) })
            : AdminResults.NotFound(http, $"subscriber {id}");

    private static SubscriberRow Row(SubscriberSummary s) => new(s.Id, s.Email, s.Status, UtcTimes.Of(s.CreatedAt), UtcTimes.Of(s.ConfirmedAt));

    /// <summary>The page shows the newest consents, changes, (at most 100) deliveries and bounces first.</summary>
    private static SubscriberDetailModel Detail(SubscriberDetail d) => new(
        new SubscriberRow(d.Id, d.Email, d.Status, UtcTimes.Of(d.CreatedAt), UtcTimes.Of(d.ConfirmedAt)), d.Name,
        d.Consents.Reverse().Select(c => new ConsentRow(UtcTimes.Of(c.SignedUpAt), c.Ip, c.UserAgent, c.Source, c.ConsentVersion, UtcTimes.Of(c.ConfirmedAt), c.ConfirmedIp)).ToList(),
        d.History.Reverse().Select(e => new EventRow(UtcTimes.Of(e.At), e.FromStatus, e.ToStatus, e.Cause, e.Detail)).ToList(),
        d.Deliveries.Reverse().Take(100).Select(x => new SubscriberDeliveryRow(x.EditionId, x.Subject, x.State, x.Attempts, x.LastReply, UtcTimes.Of(x.SentAt))).ToList(),
        d.Bounces.Reverse().Take(100).Select(b => new BounceRow(UtcTimes.Of(b.At), b.EditionId, b.Kind, b.Source, b.Detail)).ToList())
    {
        Clicks = d.Clicks.Reverse().Take(100).ToList(),
    };


    private static async Task<IResult> EraseAsync(HttpContext http, long id, SubscriberAdmin subscribers, CancellationToken ct)
    {
        var form = await http.Request.ReadFormAsync(ct);
        if (form["confirm"] != "yes")
            return AdminResults.Message(http, StatusCodes.Status400BadRequest, "Not erased", "Tick the confirmation box to erase the subscriber.", $"/admin/subscribers/{id}/erase", "Back");
        if (await subscribers.EraseAsync(id, ct) != EraseOutcome.Erased) return AdminResults.NotFound(http, $"subscriber {id} to erase");
        return AdminResults.SeeOther("/admin/subscribers?erased=1");
    }
}
