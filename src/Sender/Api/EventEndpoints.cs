using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Newsletter.Sender.Editions;
using Newsletter.Subscribers;

namespace Newsletter.Sender.Api;

/// <summary>
/// <c>POST /api/events</c>: bounces and complaints from a mail provider. Reads the body (at most 1 MB, any content
/// type whose body is JSON) and hands it to <see cref="ProviderEventRecorder"/>; see src/Subscribers/README.md.
/// </summary>
public static class EventEndpoints
{
    public const int MaxBodyBytes = 1024 * 1024;

    public static RouteHandlerBuilder MapEventEndpoints(this IEndpointRouteBuilder api)
        => api.MapPost("/events", PostAsync).Produces<EventsResult>()
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status413PayloadTooLarge);

    private static async Task<IResult> PostAsync(HttpContext http, ProviderEventRecorder recorder, DeliverySignal signal, CancellationToken ct)
    {
        if (http.Request.ContentLength > MaxBodyBytes)
            return Problem(StatusCodes.Status413PayloadTooLarge, "Request too large", "At most 1 MB of events per request.", null);
        JsonDocument document;
        try
        {
            // SNS posts with Content-Type text/plain; accept any type whose body is JSON.
            using var buffer = new MemoryStream();
            await CopyLimitedAsync(http.Request.Body, buffer, MaxBodyBytes, ct);
            document = JsonDocument.Parse(buffer.ToArray(), new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            return Problem(StatusCodes.Status400BadRequest, "Malformed JSON", "The body is not valid JSON: " + e.Message, "$");
        }
        catch (InvalidDataException e)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, "Request too large", e.Message, null);
        }

        using (document)
        {
            EventsResult result;
            try
            {
                result = await recorder.RecordAsync(document.RootElement, ct);
            }
            catch (EventFieldException e)
            {
                return Problem(StatusCodes.Status400BadRequest, "Invalid event", e.Message, e.Field);
            }
            if (result.Applied > 0) signal.Poke();
            return TypedResults.Ok(result);
        }
    }

    internal static async Task CopyLimitedAsync(Stream from, Stream to, int limit, CancellationToken ct)
    {
        var buffer = new byte[16 * 1024];
        int read, total = 0;
        while ((read = await from.ReadAsync(buffer, ct)) > 0)
        {
            total += read;
            if (total > limit) throw new InvalidDataException("At most 1 MB of events per request.");
            await to.WriteAsync(buffer.AsMemory(0, read), ct);
        }
    }

    /// <summary>A problem+json answer; <paramref name="field"/> (a JSON path or a parameter) goes into <c>errors</c>.</summary>
    internal static IResult Problem(int status, string title, string detail, string? field)
    {
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail };
        if (field is not null) problem.Extensions["errors"] = new Dictionary<string, string[]> { [field] = [detail] };
        return TypedResults.Problem(problem);
    }
}
