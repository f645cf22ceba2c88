using System.Text;
using Newsletter.Comparisons;
using Newsletter.Sender.Admin.Pages;
using Newsletter.Sender.Api;
using Newsletter.Sender.Editions;

namespace Newsletter.Sender.Admin;

/// <summary>The comparisons (<c>/admin/comparisons</c>): the list, sent or not, and the upload of JSON or page-text files.</summary>
internal static class AdminComparisonEndpoints
{
    public static RouteGroupBuilder MapAdminComparisons(this RouteGroupBuilder admin)
    {
        admin.MapGet("/comparisons", ComparisonsAsync);
        admin.MapPost("/comparisons/import", ImportAsync);
        return admin;
    }

    private static async Task<IResult> ComparisonsAsync(HttpContext http, string? status, ComparisonStore store, CancellationToken ct)
        => AdminResults.Page<ComparisonsPage>(http, "comparisons", new Dictionary<string, object?> { ["Model"] = await ComparisonsModelAsync(store, status, null, ct) });

    private static async Task<ComparisonsModel> ComparisonsModelAsync(ComparisonStore store, string? status, IReadOnlyList<ImportLine>? results, CancellationToken ct)
    {
        var filter = Enum.TryParse<ComparisonStatusFilter>(status, ignoreCase: true, out var f) && Enum.IsDefined(f) ? f : ComparisonStatusFilter.All;
        var rows = (await store.ListAsync(filter, 200, 0, ct))
            .Select(c => new ComparisonRow(c.Id, c.Slug, c.Title, c.Url, c.PublishedAt, c.Category, c.SentInEditionId, c.SentAt)).ToList();
        return new ComparisonsModel(rows, filter.ToString().ToLowerInvariant(), results);
    }

    private const long MaxUploadBytes = 5 * 1024 * 1024;

    private static async Task<IResult> ImportAsync(HttpContext http, ComparisonIngestor ingestor, ComparisonStore store, CancellationToken ct)
    {
        if (http.Request.ContentLength > MaxUploadBytes)
            return AdminResults.Message(http, StatusCodes.Status413PayloadTooLarge, "Too large", "Upload at most 5 MB at a time.", "/admin/comparisons", "Back to comparisons");
        if (!http.Request.HasFormContentType)
            return AdminResults.Message(http, StatusCodes.Status415UnsupportedMediaType, "Not a form", "Upload the files with the form.", "/admin/comparisons", "Back to comparisons");
        var form = await http.Request.ReadFormAsync(ct);
        var results = new List<ImportLine>();
        foreach (var file in form.Files)
        {
            if (file.Length == 0 && string.IsNullOrEmpty(file.FileName)) continue;
            results.Add(await ImportOneAsync(ingestor, file, ct));
        }
        if (results.Count == 0) results.Add(new ImportLine("(none)", false, "rejected", ["Choose at least one .json or .txt file."]));
        var status = results.All(r => r.Ok) ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest;
        return AdminResults.Page<ComparisonsPage>(http, "comparisons", new Dictionary<string, object?> { ["Model"] = await ComparisonsModelAsync(store, "all", results, ct) }, status);
    }

    private static async Task<ImportLine> ImportOneAsync(ComparisonIngestor ingestor, IFormFile file, CancellationToken ct)
    {
        var name = Path.GetFileName(file.FileName);
        if (file.Length > ComparisonEndpoints.MaxBodyBytes) return new ImportLine(name, false, "rejected", [$"A comparison may be at most {ComparisonEndpoints.MaxBodyBytes} bytes."]);
        using var buffer = new MemoryStream();
        await file.CopyToAsync(buffer, ct);
        var body = buffer.ToArray().AsMemory();
        if (body.Span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) body = body[3..];
        try
        {
            var json = name.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || file.ContentType.Contains("json", StringComparison.OrdinalIgnoreCase)
                       || (!name.EndsWith(".txt", StringComparison.OrdinalIgnoreCase) && body.Span.TrimStart(" \t\r\n"u8).StartsWith("{"u8));
            IngestResult result;
            if (json)
            {
                result = await ingestor.IngestJsonAsync(body, ct);
            }
            else
            {
                string text;
                try
                {
                    text = new UTF8Encoding(false, true).GetString(body.Span);
                }
                catch (DecoderFallbackException)
                {
                    return new ImportLine(name, false, "rejected", ["body: The body is not valid UTF-8 text."]);
                }
                result = await ingestor.IngestPageAsync(text, PageDefaults.None, ct);
            }
            return new ImportLine(name, true, $"{result.Outcome.ToString().ToLowerInvariant()} ({result.Slug})", []);
        }
        catch (ComparisonFormatException e)
        {
            var field = e.Path ?? (e.Line is { } line ? $"line {line}" : "body");
            return new ImportLine(name, false, "rejected", [$"{field}: {e.Message}"]);
        }
        catch (ComparisonValidationException e)
        {
            return new ImportLine(name, false, "rejected", e.Errors.Select(x => $"{x.Field}: {x.Message}").ToList());
        }
    }
}
