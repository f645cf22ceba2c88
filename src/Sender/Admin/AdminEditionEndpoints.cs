using Newsletter.Database;
using Newsletter.Sender.Admin.Pages;
using Newsletter.Sender.Editions;

namespace Newsletter.Sender.Admin;

/// <summary>The editions (<c>/admin/editions</c>): the list, one edition with its deliveries, and pause / resume / cancel / retry.</summary>
internal static class AdminEditionEndpoints
{
    public static RouteGroupBuilder MapAdminEditions(this RouteGroupBuilder admin)
    {
        admin.MapGet("/editions", EditionsAsync);
        admin.MapGet("/editions/{id:long}", EditionAsync);
        admin.MapGet("/editions/{id:long}/report.csv", async Task<IResult> (HttpContext http, long id, Newsletter.Sender.Editions.EditionReports reports, CancellationToken ct) =>
            await reports.GetAsync(id, ct) is { } report
                ? TypedResults.File(System.Text.Encoding.UTF8.GetBytes(Newsletter.Sender.Editions.EditionReports.ToCsv(report)), "text/csv; charset=utf-8", $"edition-{id}-report.csv")
                : AdminResults.NotFound(http, $"edition {id}"));
        admin.MapPost("/editions/{id:long}/{action:regex(^(pause|resume|cancel|retry-failed)$)}", EditionActionAsync);
        return admin;
    }

    private static async Task<IResult> EditionsAsync(HttpContext http, EditionService editions, CancellationToken ct)
    {
        var list = (await editions.ListAsync(200, ct)).Select(AdminQueries.Progress).ToList();
        return AdminResults.Page<EditionsPage>(http, "editions", new Dictionary<string, object?> { ["Model"] = new EditionsModel(list) });
    }

    private static async Task<IResult> EditionAsync(HttpContext http, long id, string? state, string? reply, int? page, string? done,
        EditionService editions, AdminQueries queries, Newsletter.Sender.Editions.EditionReports reports, CancellationToken ct)
    {
        var e = await editions.GetAsync(id, ct);
        if (e is null) return AdminResults.NotFound(http, $"edition {id}");
        state = AdminQueries.DeliveryStates.Contains(state) ? state : null;
        reply = string.IsNullOrWhiteSpace(reply) ? null : reply.Trim()[..Math.Min(reply.Trim().Length, 200)];
        var p = Math.Clamp(page ?? 1, 1, 100_000);
        var (rows, total) = await queries.DeliveriesAsync(id, state, reply, p, ct);
        var notice = done switch
        {
            "pause" => "Paused: no new deliveries are started; those in flight finish.",
            "resume" => "Resumed.",
            "cancel" => "Cancelled: deliveries not yet handed to the relay are skipped.",
            "retry-failed" => "Failed deliveries were put back in the queue.",
            _ => null,
        };
        var model = new EditionDetailModel(AdminQueries.Progress(e), rows, state, reply, p, total, AdminQueries.PageSize, notice,
            await queries.BounceCountsAsync(id, ct))
        {
            Report = await reports.GetAsync(id, ct),
        };
        return AdminResults.Page<EditionPage>(http, "editions", new Dictionary<string, object?> { ["Model"] = model });
    }

    private static async Task<IResult> EditionActionAsync(HttpContext http, long id, string action, EditionService editions, DeliverySignal signal, CancellationToken ct)
    {
        var e = await editions.GetAsync(id, ct);
        if (e is null) return AdminResults.NotFound(http, $"edition {id}");
        var who = http.UserName();
        var done = action switch
        {
            "pause" => await editions.PauseAsync(id, $"paused by {who}", ct),
            "resume" => await editions.ResumeAsync(id, ct),
            "cancel" => await editions.CancelAsync(id, $"cancelled by {who}", ct),
            _ => await editions.RetryFailedAsync(id, ct) > 0,
        };
        signal.Poke();
        if (!done)
        {
            return AdminResults.Message(http, StatusCodes.Status409Conflict, "Not possible now",
                $"Edition {id} could not be changed ({action}) in its state ({DbValue.Of(e.State)}).", $"/admin/editions/{id}", "Back to the edition");
        }
        return AdminResults.SeeOther($"/admin/editions/{id}?done={action}");
    }
}
