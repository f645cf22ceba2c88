using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Newsletter.Sender.Editions;
using Newsletter.Subscribers;

namespace Newsletter.Sender.Api;

/// <summary>
/// The subscriber list's machine API (under <c>/api</c>, Bearer key): events, import, export, access and erasure.
/// The work is done by the services of src/Subscribers; these handlers only read requests and shape answers.
/// </summary>
public static class SubscriberApiEndpoints
{
    public const long MaxImportBytes = 512L * 1024 * 1024;

    public static IEndpointRouteBuilder MapSubscriberApiEndpoints(this IEndpointRouteBuilder api)
    {
        api.MapEventEndpoints();
        api.MapPost("/subscribers/import", ImportAsync).Produces<ImportResult>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        api.MapGet("/subscribers/export", ExportAsync).Produces<string>(StatusCodes.Status200OK, "text/csv").ProducesProblem(StatusCodes.Status400BadRequest);
        api.MapPost("/subscribers/lookup", LookupAsync).Produces<SubscriberDetail>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        api.MapGet("/subscribers/{email}", GetAsync).Produces<SubscriberDetail>().ProducesProblem(StatusCodes.Status404NotFound);
        api.MapDelete("/subscribers/{email}", EraseAsync).Produces<EraseResult>().ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    /// <summary>POST /api/subscribers/import: a CSV body (<c>text/csv</c>); 200 with what was done and every rejected line.</summary>
    private static async Task<IResult> ImportAsync(HttpContext http, SubscriberImporter importer, DeliverySignal signal, CancellationToken ct)
    {
        if (!(http.Request.ContentType?.StartsWith("text/csv", StringComparison.OrdinalIgnoreCase) ?? false))
            return EventEndpoints.Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported content type",
                "Send the list as text/csv with a header row: email,name,consented_at,consent_source.", null);
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = MaxImportBytes;
        try
        {
            // Spool the upload to a temporary file first: the import's transaction then never waits on a slow client,
            // and the CSV reader may read synchronously (Kestrel forbids that on the request body).
            await using var spool = new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None,
                1 << 16, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
            await http.Request.Body.CopyToAsync(spool, ct);
            spool.Position = 0;
            var result = await importer.ImportAsync(spool, ct);
            if (result.CreatedPending > 0) signal.Poke();
            return TypedResults.Ok(result);
        }
        catch (ImportFormatException e)
        {
            return EventEndpoints.Problem(StatusCodes.Status400BadRequest, "Unusable CSV", e.Message, e.Line is null ? "header" : $"line {e.Line}");
        }
        catch (BadHttpRequestException e)
        {
            return EventEndpoints.Problem(e.StatusCode, "Bad request", e.Message, null);
        }
    }

    /// <summary>GET /api/subscribers/export?status=S: CSV, streamed.</summary>
    private static async Task<IResult> ExportAsync(HttpContext http, SubscriberExporter exporter, string? status, CancellationToken ct)
    {
        if (status is not null && !SubscriberStatus.All.Contains(status))
            return EventEndpoints.Problem(StatusCodes.Status400BadRequest, "Unknown status",
                "status must be one of: " + string.Join(", ", SubscriberStatus.All), "status");
        http.Response.ContentType = "text/csv; charset=utf-8";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"subscribers-{status ?? "all"}.csv\"";
        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        await exporter.ExportCsvAsync(new SubscriberExportFilter(status), http.Response.Body, ct);
        return TypedResults.Empty;
    }

    /// <summary>GET /api/subscribers/{email}: everything we hold about one address (access request).</summary>
    private static async Task<IResult> GetAsync(string email, SubscriberAdmin admin, SubscriberActivity activity, CancellationToken ct)
    {
        var id = await admin.FindIdAsync(email, ct);
        var detail = id is null ? null : await admin.GetDetailAsync(id.Value, ct);
        if (detail is not null) detail = await activity.AddToAsync(detail, ct);
        return detail is null
            ? EventEndpoints.Problem(StatusCodes.Status404NotFound, "Unknown subscriber", "No subscriber has this address.", null)
            : TypedResults.Json(detail, JsonSerializerOptions.Web);
    }

    /// <summary>
    /// POST /api/subscribers/lookup with <c>{"email": ...}</c>: the same answer as GET /api/subscribers/{email}, without
    /// the address in a URL (where proxies and access logs would keep it).
    /// </summary>
    private static async Task<IResult> LookupAsync(HttpContext http, SubscriberAdmin admin, SubscriberActivity activity, CancellationToken ct)
    {
        if (!http.Request.HasJsonContentType())
            return EventEndpoints.Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported content type", "Send application/json: {\"email\": \"...\"}.", null);
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = 16 * 1024;
        SubscriberLookup? body;
        try
        {
            body = await http.Request.ReadFromJsonAsync<SubscriberLookup>(JsonSerializerOptions.Web, ct);
        }
        catch (Exception e) when (e is JsonException or BadHttpRequestException)
        {
            body = null;
        }
        if (string.IsNullOrWhiteSpace(body?.Email))
            return EventEndpoints.Problem(StatusCodes.Status400BadRequest, "Missing address", "The body must be {\"email\": \"...\"}.", "email");
        return await GetAsync(body.Email, admin, activity, ct);
    }

    /// <summary>DELETE /api/subscribers/{email}: erasure (see <see cref="SubscriberAdmin.EraseAsync"/>).</summary>
    private static async Task<IResult> EraseAsync(string email, SubscriberAdmin admin, CancellationToken ct)
    {
        var id = await admin.FindIdAsync(email, ct);
        var outcome = id is null ? EraseOutcome.NotFound : await admin.EraseAsync(id.Value, ct);
        return outcome == EraseOutcome.NotFound
            ? EventEndpoints.Problem(StatusCodes.Status404NotFound, "Unknown subscriber", "No subscriber has this address.", null)
            : TypedResults.Ok(new EraseResult(id!.Value, "erased"));
    }
}
