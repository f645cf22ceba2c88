using Newsletter.Sender.Editions;

namespace Newsletter.Sender.Api;

/// <summary>The per-edition report in the machine API (API key required).</summary>
public static class ReportEndpoints
{
    public static RouteGroupBuilder MapReportApi(this RouteGroupBuilder api)
    {
        // JSON by default; ?format=csv for a spreadsheet.
        api.MapGet("/editions/{id:long}/report", async Task<IResult> (long id, string? format, EditionReports reports, CancellationToken ct) =>
        {
            if (format is not (null or "json" or "csv"))
                return TypedResults.Problem(title: "Unknown format", detail: "format is json (the default) or csv.", statusCode: StatusCodes.Status400BadRequest);
            var report = await reports.GetAsync(id, ct);
            if (report is null)
                return TypedResults.Problem(title: "Edition not found", detail: $"There is no edition {id}.", statusCode: StatusCodes.Status404NotFound);
            return format == "csv"
                ? TypedResults.Text(EditionReports.ToCsv(report), "text/csv; charset=utf-8")
                : TypedResults.Ok(report);
        });
        return api;
    }
}
