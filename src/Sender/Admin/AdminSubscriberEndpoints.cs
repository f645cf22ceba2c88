using System.Globalization;
using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Newsletter.Comparisons;
using Newsletter.Sender.Admin.Pages;
using Newsletter.Sender.Comparisons;
using Newsletter.Sender.Configuration;
using Newsletter.Sender.Delivery;
using Newsletter.Sender.Editions;
using Newsletter.Sender.Security;
using Newsletter.Sender.Web;
using Quartz;

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

    private static async Task<IResult> SubscribersAsync(HttpContext http, string? q, string? status, int? page, string? erased, AdminQueries queries, CancellationToken ct)
    {
        var (query, filter) = SubscriberFilter(q, status);
        var p = Math.Clamp(page ?? 1, 1, 100_000);
        var (rows, total) = await queries.SearchSubscribersAsync(query, filter, p, AdminQueries.PageSize, ct);
        var model = new SubscribersModel(rows, query, filter, p, total, AdminQueries.PageSize, await queries.SubscriberStatusCountsAsync(ct),
            erased == "1" ? "The subscriber was erased." : null);
        return AdminResults.Page<SubscribersPage>(http, "subscribers", new Dictionary<string, object?> { ["Model"] = model });
    }

    private static (string? Query, string? Status) SubscriberFilter(string? q, string? status)
        => (string.IsNullOrWhiteSpace(q) ? null : q.Trim()[..Math.Min(q.Trim().Length, 254)], AdminQueries.SubscriberStatuses.Contains(status) ? status : null);

    private static async Task ExportAsync(HttpContext http, string? q, string? status, AdminQueries queries, CancellationToken ct)
    {
        var (query, filter) = SubscriberFilter(q, status);
        http.Response.ContentType = "text/csv; charset=utf-8";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"subscribers-{filter ?? "all"}.csv\"";
        var line = new StringBuilder("id,email,status,created_at,confirmed_at\r\n");
        await http.Response.WriteAsync(line.ToString(), ct);
        await foreach (var s in queries.ExportSubscribersAsync(query, filter, ct))
        {
            line.Clear().Append(s.Id.ToString(CultureInfo.InvariantCulture)).Append(',').Append(Csv(s.Email)).Append(',').Append(s.Status).Append(',')
                .Append(AdminFormat.Iso(s.CreatedAt)).Append(',').Append(AdminFormat.Iso(s.ConfirmedAt)).Append("\r\n");
            await http.Response.WriteAsync(line.ToString(), ct);
        }
    }

    /// <summary>RFC 4180 quoting; a leading = + - @ is neutralised so a spreadsheet never runs it as a formula.</summary>
    internal static string Csv(string value)
    {
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r') value = "'" + value;
        return value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }

    private static async Task<IResult> SubscriberAsync(HttpContext http, long id, AdminQueries queries, CancellationToken ct)
        => await queries.SubscriberDetailAsync(id, ct) is { } model
            ? AdminResults.Page<SubscriberPage>(http, "subscribers", new Dictionary<string, object?> { ["Model"] = model })
            : AdminResults.NotFound(http, $"subscriber {id}");

    private static async Task<IResult> ConfirmEraseAsync(HttpContext http, long id, AdminQueries queries, CancellationToken ct)
        => await queries.SubscriberDetailAsync(id, ct) is { } model
            ? AdminResults.Page<EraseConfirmPage>(http, "subscribers", new Dictionary<string, object?> { ["Model"] = model })
            : AdminResults.NotFound(http, $"subscriber {id}");

    private static async Task<IResult> EraseAsync(HttpContext http, long id, Newsletter.Subscribers.SubscriberAdmin subscribers, CancellationToken ct)
    {
        var form = await http.Request.ReadFormAsync(ct);
        if (form["confirm"] != "yes")
            return AdminResults.Message(http, StatusCodes.Status400BadRequest, "Not erased", "Tick the confirmation box to erase the subscriber.", $"/admin/subscribers/{id}/erase", "Back");
        if (await subscribers.EraseAsync(id, ct) != Newsletter.Subscribers.EraseOutcome.Erased) return AdminResults.NotFound(http, $"subscriber {id} to erase");
        return AdminResults.SeeOther("/admin/subscribers?erased=1");
    }
}
