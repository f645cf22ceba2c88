using System.Text.Json;
using Microsoft.Extensions.Options;
using Newsletter.Sender.Editions;
using Newsletter.Subscribers;
using Newsletter.Sender.Api;

namespace Newsletter.Sender.Public;

/// <summary>
/// <c>POST /webhooks/sendgrid</c>, <c>/webhooks/postmark</c>, <c>/webhooks/mailgun</c>: each provider's bounce and
/// complaint webhook, authenticated by what that provider signs (no API key: providers cannot send one). 404 while the
/// provider is not configured, 401 when the signature or credentials do not verify (nothing is applied), 400 for a
/// malformed payload; otherwise the events go through the same recorder as <c>/api/events</c>. See docs/bounces.md.
/// </summary>
public static class ProviderWebhookEndpoints
{
    public static IEndpointRouteBuilder MapProviderWebhooks(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/webhooks").AllowAnonymous();
        group.MapPost("/sendgrid", SendGridAsync);
        group.MapPost("/postmark", PostmarkAsync);
        group.MapPost("/mailgun", MailgunAsync);
        return app;
    }

    private static Task<IResult> SendGridAsync(HttpContext http, IOptions<ProviderWebhooksOptions> options, TimeProvider time,
        ProviderEventRecorder recorder, DeliverySignal signal, CancellationToken ct)
        => HandleAsync(http, recorder, signal, options.Value.SendGridPublicKey, (key, body, _) =>
        {
            var timestamp = http.Request.Headers["X-Twilio-Email-Event-Webhook-Timestamp"].ToString();
            return WebhookSignatures.SendGrid(key, http.Request.Headers["X-Twilio-Email-Event-Webhook-Signature"].ToString(), timestamp, body)
                   && WebhookSignatures.Fresh(timestamp, time.GetUtcNow(), options.Value.MaxSignatureAge);
        }, ProviderWebhookParser.SendGrid, ct);

    private static Task<IResult> PostmarkAsync(HttpContext http, IOptions<ProviderWebhooksOptions> options,
        ProviderEventRecorder recorder, DeliverySignal signal, CancellationToken ct)
    {
        var o = options.Value;
        var configured = string.IsNullOrEmpty(o.PostmarkUsername) || string.IsNullOrEmpty(o.PostmarkPassword) ? null : o.PostmarkUsername;
        return HandleAsync(http, recorder, signal, configured,
            (_, _, _) => WebhookSignatures.Basic(http.Request.Headers.Authorization.ToString(), o.PostmarkUsername!, o.PostmarkPassword!),
            ProviderWebhookParser.Postmark, ct);
    }

    private static Task<IResult> MailgunAsync(HttpContext http, IOptions<ProviderWebhooksOptions> options, TimeProvider time,
        ProviderEventRecorder recorder, DeliverySignal signal, CancellationToken ct)
        => HandleAsync(http, recorder, signal, options.Value.MailgunSigningKey, (key, _, json) =>
        {
            if (json.ValueKind != JsonValueKind.Object || !json.TryGetProperty("signature", out var s) || s.ValueKind != JsonValueKind.Object) return false;
            string? Field(string name) => s.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            return WebhookSignatures.Mailgun(key, Field("timestamp"), Field("token"), Field("signature"))
                   && WebhookSignatures.Fresh(Field("timestamp"), time.GetUtcNow(), options.Value.MaxSignatureAge);
        }, ProviderWebhookParser.Mailgun, ct);

    private static async Task<IResult> HandleAsync(HttpContext http, ProviderEventRecorder recorder, DeliverySignal signal, string? key,
        Func<string, byte[], JsonElement, bool> verify, Func<JsonElement, ProviderDocument> parse, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(key))
            return EventEndpoints.Problem(StatusCodes.Status404NotFound, "Webhook not configured", "This provider's webhook is not configured here.", null);
        if (http.Request.ContentLength > EventEndpoints.MaxBodyBytes)
            return EventEndpoints.Problem(StatusCodes.Status413PayloadTooLarge, "Request too large", "At most 1 MB of events per request.", null);
        byte[] body;
        try
        {
            using var buffer = new MemoryStream();
            await EventEndpoints.CopyLimitedAsync(http.Request.Body, buffer, EventEndpoints.MaxBodyBytes, ct);
            body = buffer.ToArray();
        }
        catch (InvalidDataException e)
        {
            return EventEndpoints.Problem(StatusCodes.Status413PayloadTooLarge, "Request too large", e.Message, null);
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException)
        {
            // Unsigned garbage gets the same answer as a bad signature: nothing about the payload is believed before it verifies.
            return Unauthorized();
        }
        using (document)
        {
            if (!verify(key, body, document.RootElement)) return Unauthorized();
            ProviderDocument parsed;
            try
            {
                parsed = parse(document.RootElement);
            }
            catch (EventFieldException e)
            {
                return EventEndpoints.Problem(StatusCodes.Status400BadRequest, "Invalid event", e.Message, e.Field);
            }
            if (parsed.Events.Count == 0) return TypedResults.Ok(new EventsResult(0, 0, 0, 0, parsed.Note));
            var result = await recorder.ApplyAsync(parsed.Events, ct);
            if (result.Applied > 0) signal.Poke();
            return TypedResults.Ok(result with { Note = parsed.Note });
        }
    }

    private static IResult Unauthorized()
        => EventEndpoints.Problem(StatusCodes.Status401Unauthorized, "Signature does not verify", "The webhook's signature or credentials do not verify.", null);
}
