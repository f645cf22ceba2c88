using System.Buffers;
using System.Globalization;
using System.Text;
using Microsoft.Net.Http.Headers;
using Newsletter.Comparisons;

namespace Newsletter.Sender.Api;

/// <summary>
/// The machine API for comparisons, mapped on the lead's <c>/api</c> group (API-key auth is applied there):
/// <list type="bullet">
/// <item><c>POST /comparisons</c>: <c>application/json</c> (docs/comparison.schema.json) or <c>text/plain</c>
/// page text with optional query parameters <c>slug</c>, <c>publishedAt</c> (ISO 8601), <c>url</c>.
/// 201 <c>{id, slug, status:"created"}</c> with Location, 200 for "updated"/"unchanged"; 400 problem+json whose
/// <c>errors</c> name the field (<c>tools[1].panelShipPercent</c>), the JSON path or the page line; 413 over
/// 1 MB (counted while reading, whatever the server's own limit); 415 for any other content type or charset.</item>
/// <item><c>GET /comparisons?status=all|sent|unsent&amp;limit=50&amp;offset=0</c>: the admin list, newest first.</item>
/// <item><c>GET /comparisons/{slug}</c>: the stored document in the schema's shape, or 404.</item>
/// </list>
/// </summary>
public static class ComparisonEndpoints
{
    public const int MaxBodyBytes = 1024 * 1024;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static RouteGroupBuilder MapComparisonApi(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var comparisons = api.MapGroup("/comparisons");
        // Response shapes and errors for the OpenAPI document (the request and comparison schemas: docs/comparison.schema.json).
        comparisons.MapPost("", PostAsync)
            .Produces<ComparisonImportResponse>(StatusCodes.Status201Created).Produces<ComparisonImportResponse>()
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        comparisons.MapGet("", ListAsync).Produces<IReadOnlyList<ComparisonListItem>>().ProducesValidationProblem();
        comparisons.MapGet("/{slug}", GetAsync).Produces<Comparison>().ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    private enum BodyKind { Json, Text }

    internal static async Task<IResult> PostAsync(HttpRequest request, ComparisonIngestor ingestor, CancellationToken cancellationToken)
    {
        var kind = KindOf(request.ContentType);
        if (kind is null)
        {
            return TypedResults.Problem(
                title: "Unsupported media type",
                detail: "Send application/json (see docs/comparison.schema.json) or text/plain page text, in UTF-8.",
                statusCode: StatusCodes.Status415UnsupportedMediaType);
        }
        if (request.ContentLength > MaxBodyBytes) return TooLarge();

        var buffer = ArrayPool<byte>.Shared.Rent(MaxBodyBytes + 1);
        try
        {
            // Read at most 1 MB + 1 byte ourselves: the extra byte tells "too large" without trusting any header.
            var length = 0;
            while (length <= MaxBodyBytes)
            {
                var read = await request.Body.ReadAsync(buffer.AsMemory(length, MaxBodyBytes + 1 - length), cancellationToken);
                if (read == 0) break;
                length += read;
            }
            if (length > MaxBodyBytes) return TooLarge();
            var body = buffer.AsMemory(0, length);
            if (body.Span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) body = body[3..];

            IngestResult result;
            if (kind == BodyKind.Json)
            {
                result = await ingestor.IngestJsonAsync(body, cancellationToken);
            }
            else
            {
                string text;
                try
                {
                    text = StrictUtf8.GetString(body.Span);
                }
                catch (DecoderFallbackException)
                {
                    return Invalid("body", "The body is not valid UTF-8 text.");
                }
                var query = request.Query;
                DateTimeOffset? publishedAt = null;
                if (!string.IsNullOrWhiteSpace(query["publishedAt"]))
                {
                    if (!DateTimeOffset.TryParse(query["publishedAt"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
                        return Invalid("publishedAt", "must be an ISO 8601 date-time, e.g. 2026-03-02T09:00:00Z");
                    publishedAt = parsed;
                }
                var given = new PageDefaults
                {
                    Slug = NullIfBlank(query["slug"]),
                    Url = NullIfBlank(query["url"]),
                    PublishedAt = publishedAt,
                };
                result = await ingestor.IngestPageAsync(text, given, cancellationToken);
            }

            var response = new ComparisonImportResponse(result.Id, result.Slug, result.Outcome.ToString().ToLowerInvariant());
            return result.Outcome == UpsertOutcome.Created
                ? TypedResults.Created($"{request.PathBase}{request.Path.Value?.TrimEnd('/')}/{Uri.EscapeDataString(result.Slug)}", response)
                : TypedResults.Ok(response);
        }
        catch (ComparisonFormatException e)
        {
            var field = e.Path ?? (e.Line is { } line ? $"line {line}" : "body");
            var extensions = new Dictionary<string, object?> { ["line"] = e.Line, ["path"] = e.Path };
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { [field] = [e.Message] },
                detail: e.Message, title: "The comparison could not be read", extensions: extensions);
        }
        catch (ComparisonValidationException e)
        {
            return TypedResults.ValidationProblem(
                e.Errors.GroupBy(x => x.Field).ToDictionary(g => g.Key, g => g.Select(x => x.Message).ToArray()),
                detail: e.Message, title: "The comparison is not valid");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    internal static async Task<IResult> ListAsync(ComparisonStore store, string? status, int? limit, int? offset, CancellationToken cancellationToken)
    {
        if (!Enum.TryParse<ComparisonStatusFilter>(string.IsNullOrEmpty(status) ? "all" : status, ignoreCase: true, out var filter)
            || !Enum.IsDefined(filter))
        {
            return Invalid("status", "must be all, sent or unsent");
        }
        var list = await store.ListAsync(filter, Math.Clamp(limit ?? 50, 1, 500), Math.Max(offset ?? 0, 0), cancellationToken);
        return TypedResults.Ok(list);
    }

    internal static async Task<IResult> GetAsync(ComparisonStore store, string slug, CancellationToken cancellationToken)
    {
        var stored = await store.GetAsync(slug, cancellationToken);
        return stored is null
            ? TypedResults.Problem(title: "Comparison not found", detail: $"There is no comparison '{slug}'.", statusCode: StatusCodes.Status404NotFound)
            : TypedResults.Json(stored.Comparison, ComparisonJson.Options);
    }

    private static BodyKind? KindOf(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var media)) return null;
        var charset = media.Charset.Value;
        if (charset is not null && !charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)
            && !charset.Equals("utf8", StringComparison.OrdinalIgnoreCase) && !charset.Equals("us-ascii", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        var type = media.MediaType.Value ?? "";
        if (type.Equals("application/json", StringComparison.OrdinalIgnoreCase) || type.EndsWith("+json", StringComparison.OrdinalIgnoreCase)) return BodyKind.Json;
        if (type.Equals("text/plain", StringComparison.OrdinalIgnoreCase)) return BodyKind.Text;
        return null;
    }

    private static IResult TooLarge() => TypedResults.Problem(
        title: "Payload too large", detail: $"A comparison may be at most {MaxBodyBytes} bytes.", statusCode: StatusCodes.Status413PayloadTooLarge);

    private static IResult Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, detail: $"{field}: {message}");

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
