using System.Globalization;
using System.Text;
using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Mvc;
using Newsletter.Sender.Delivery;
using Newsletter.Subscribers;
using Npgsql;

namespace Newsletter.Sender.Subscribers;

/// <summary>One bounce or complaint reported by a mail provider.</summary>
public sealed record ProviderEvent(string Type, string Email, string? BounceType, string? Reason, DateTimeOffset? OccurredAt, string Source);

/// <summary>The answer of <c>POST /api/events</c>.</summary>
public sealed record EventsResult(int Received, int Applied, int Unchanged, int Unknown, string? Note = null);

/// <summary>A field of the posted document is missing or wrong; names it as a JSON path.</summary>
public sealed class EventFieldException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}

/// <summary>
/// <c>POST /api/events</c>: bounces and complaints from a mail provider, in our generic JSON shape (an object or an array
/// of them) or as Amazon SES notifications in an SNS envelope. The whole document is validated before anything is
/// applied, then applied in one transaction. See README "Bounce and complaint events".
/// </summary>
public static class EventsApi
{
    public const int MaxBodyBytes = 1024 * 1024;
    public const int MaxEventsPerRequest = 10_000;

    public static RouteHandlerBuilder MapEventsApi(this IEndpointRouteBuilder api)
        => api.MapPost("/events", PostAsync);

    private static async Task<IResult> PostAsync(HttpContext http, NpgsqlDataSource db, BounceRecorder bounces, DeliverySignal signal, CancellationToken ct)
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
            List<ProviderEvent> events;
            string? note = null;
            try
            {
                var root = document.RootElement;
                if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("Type", out var snsType))
                {
                    var type = snsType.ValueKind == JsonValueKind.String ? snsType.GetString() : null;
                    switch (type)
                    {
                        case "SubscriptionConfirmation":
                            await RecordSubscriptionAsync(db, root, ct);
                            return TypedResults.Ok(new EventsResult(0, 0, 0, 0,
                                "SNS subscription recorded; confirm it by opening its SubscribeURL (this service does not fetch URLs)."));
                        case "UnsubscribeConfirmation":
                            return TypedResults.Ok(new EventsResult(0, 0, 0, 0, "SNS unsubscribe confirmation ignored."));
                        case "Notification":
                            var message = RequiredString(root, "Message", "$");
                            JsonDocument inner;
                            try
                            {
                                inner = JsonDocument.Parse(message, new JsonDocumentOptions { MaxDepth = 16 });
                            }
                            catch (JsonException e)
                            {
                                throw new EventFieldException("$.Message", "Message is not a JSON SES notification: " + e.Message);
                            }
                            using (inner)
                            {
                                events = ParseSes(inner.RootElement, "$.Message", out note);
                            }
                            break;
                        default:
                            throw new EventFieldException("$.Type", "Type must be Notification, SubscriptionConfirmation or UnsubscribeConfirmation.");
                    }
                }
                else if (root.ValueKind == JsonValueKind.Object && (root.TryGetProperty("notificationType", out _) || root.TryGetProperty("eventType", out _)))
                {
                    events = ParseSes(root, "$", out note); // SES notification without the SNS envelope (raw delivery)
                }
                else
                {
                    events = ParseGeneric(root);
                }
            }
            catch (EventFieldException e)
            {
                return Problem(StatusCodes.Status400BadRequest, "Invalid event", e.Message, e.Field);
            }

            var result = await ApplyAsync(db, bounces, events, ct);
            if (result.Applied > 0) signal.Poke();
            return TypedResults.Ok(result with { Note = note });
        }
    }

    /// <summary>Applies validated events in one transaction. Unknown addresses are counted and ignored.</summary>
    public static async Task<EventsResult> ApplyAsync(NpgsqlDataSource db, BounceRecorder bounces, IReadOnlyList<ProviderEvent> events, CancellationToken ct)
    {
        int applied = 0, unchanged = 0, unknown = 0;
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var keys = events.Select(e => SubscriberService.EmailKey(e.Email)).Distinct().ToArray();
        var ids = (await connection.QueryAsync<(string Key, long Id)>(new CommandDefinition(
            "select email_key, id from subscribers where email_key = any(@keys)", new { keys }, tx, cancellationToken: ct)))
            .ToDictionary(r => r.Key, r => r.Id);
        // Lock in id order so two concurrent posts cannot deadlock.
        foreach (var e in events.OrderBy(e => ids.GetValueOrDefault(SubscriberService.EmailKey(e.Email))))
        {
            if (!ids.TryGetValue(SubscriberService.EmailKey(e.Email), out var id))
            {
                unknown++;
                continue;
            }
            var detail = $"{e.Source}{(e.OccurredAt is { } at ? " at " + at.ToString("O", CultureInfo.InvariantCulture) : "")}: {e.Reason}";
            var changed = e.Type switch
            {
                "complaint" => await bounces.ComplaintAsync(connection, tx, id, "complaint", detail, ct),
                _ when e.BounceType == "hard" => await bounces.HardBounceAsync(connection, tx, id, "hard bounce (event)", detail, ct),
                _ => await bounces.SoftBounceAsync(connection, tx, id, null, detail, ct),
            };
            if (changed) applied++;
            else unchanged++;
        }
        await tx.CommitAsync(ct);
        return new EventsResult(events.Count, applied, unchanged, unknown);
    }

    /// <summary>The generic shape: an object or an array of objects.</summary>
    public static List<ProviderEvent> ParseGeneric(JsonElement root)
    {
        var list = new List<ProviderEvent>();
        if (root.ValueKind == JsonValueKind.Object)
        {
            list.Add(ParseGenericOne(root, "$"));
        }
        else if (root.ValueKind == JsonValueKind.Array)
        {
            if (root.GetArrayLength() > MaxEventsPerRequest)
                throw new EventFieldException("$", $"At most {MaxEventsPerRequest} events per request.");
            var i = 0;
            foreach (var item in root.EnumerateArray())
            {
                var path = $"$[{i++}]";
                if (item.ValueKind != JsonValueKind.Object) throw new EventFieldException(path, "Each event must be a JSON object.");
                list.Add(ParseGenericOne(item, path));
            }
        }
        else
        {
            throw new EventFieldException("$", "Send an event object, an array of them, or an SNS notification.");
        }
        return list;
    }

    private static ProviderEvent ParseGenericOne(JsonElement item, string path)
    {
        var type = RequiredString(item, "type", path);
        if (type is not ("bounce" or "complaint")) throw new EventFieldException(path + ".type", "type must be \"bounce\" or \"complaint\".");
        var email = Address(RequiredString(item, "email", path), path + ".email");
        string? bounceType = null;
        if (type == "bounce")
        {
            bounceType = RequiredString(item, "bounceType", path);
            if (bounceType is not ("hard" or "soft")) throw new EventFieldException(path + ".bounceType", "bounceType must be \"hard\" or \"soft\".");
        }
        var reason = OptionalString(item, "reason", path);
        DateTimeOffset? occurredAt = null;
        if (OptionalString(item, "occurredAt", path) is { } occurred)
        {
            if (!DateTimeOffset.TryParse(occurred, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
                throw new EventFieldException(path + ".occurredAt", "occurredAt must be an ISO 8601 date and time.");
            occurredAt = parsed;
        }
        return new ProviderEvent(type, email, bounceType, reason, occurredAt, "event");
    }

    /// <summary>An SES notification (<c>notificationType</c>, or <c>eventType</c> for event publishing).</summary>
    public static List<ProviderEvent> ParseSes(JsonElement ses, string path, out string? note)
    {
        note = null;
        if (ses.ValueKind != JsonValueKind.Object) throw new EventFieldException(path, "The SES notification must be a JSON object.");
        var kind = OptionalString(ses, "notificationType", path) ?? OptionalString(ses, "eventType", path)
            ?? throw new EventFieldException(path + ".notificationType", "notificationType is required.");
        var list = new List<ProviderEvent>();
        switch (kind)
        {
            case "Bounce":
            {
                var bounce = RequiredObject(ses, "bounce", path);
                var bounceType = RequiredString(bounce, "bounceType", path + ".bounce");
                var hard = bounceType switch
                {
                    "Permanent" => true,
                    "Transient" or "Undetermined" => false,
                    _ => throw new EventFieldException(path + ".bounce.bounceType", "bounceType must be Permanent, Transient or Undetermined."),
                };
                var subType = OptionalString(bounce, "bounceSubType", path + ".bounce");
                var at = Timestamp(bounce, path + ".bounce");
                foreach (var (recipient, rpath) in Recipients(bounce, "bouncedRecipients", path + ".bounce"))
                {
                    var email = ProviderAddress(RequiredString(recipient, "emailAddress", rpath));
                    var diagnostic = OptionalString(recipient, "diagnosticCode", rpath);
                    list.Add(new ProviderEvent("bounce", email, hard ? "hard" : "soft", $"SES {bounceType}/{subType} {diagnostic}".Trim(), at, "SES"));
                }
                break;
            }
            case "Complaint":
            {
                var complaint = RequiredObject(ses, "complaint", path);
                var feedback = OptionalString(complaint, "complaintFeedbackType", path + ".complaint");
                var at = Timestamp(complaint, path + ".complaint");
                foreach (var (recipient, rpath) in Recipients(complaint, "complainedRecipients", path + ".complaint"))
                {
                    var email = ProviderAddress(RequiredString(recipient, "emailAddress", rpath));
                    list.Add(new ProviderEvent("complaint", email, null, $"SES complaint {feedback}".Trim(), at, "SES"));
                }
                break;
            }
            default:
                note = $"SES {kind} notification ignored (only Bounce and Complaint change a subscriber).";
                break;
        }
        return list;
    }

    private static IEnumerable<(JsonElement Item, string Path)> Recipients(JsonElement parent, string name, string path)
    {
        if (!parent.TryGetProperty(name, out var array) || array.ValueKind != JsonValueKind.Array || array.GetArrayLength() == 0)
            throw new EventFieldException($"{path}.{name}", $"{name} must be a non-empty array.");
        if (array.GetArrayLength() > MaxEventsPerRequest) throw new EventFieldException($"{path}.{name}", "Too many recipients.");
        var i = 0;
        var result = new List<(JsonElement, string)>();
        foreach (var item in array.EnumerateArray())
        {
            var p = $"{path}.{name}[{i++}]";
            if (item.ValueKind != JsonValueKind.Object) throw new EventFieldException(p, "Each recipient must be a JSON object.");
            result.Add((item, p));
        }
        return result;
    }

    private static DateTimeOffset? Timestamp(JsonElement parent, string path)
        => OptionalString(parent, "timestamp", path) is { } s && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at : null;

    private static string Address(string text, string field)
    {
        // Providers sometimes report "Name <addr>"; take the addr-spec.
        var open = text.LastIndexOf('<');
        if (open >= 0 && text.EndsWith('>')) text = text[(open + 1)..^1];
        return SubscriberService.Normalize(text, out var error) ?? throw new EventFieldException(field, error ?? "not an email address");
    }

    /// <summary>
    /// An address as SES reports it. One we could not parse cannot be a subscriber of ours: it is kept as it is and
    /// counted as unknown, rather than refusing the notification (SNS would retry it for days).
    /// </summary>
    private static string ProviderAddress(string text)
    {
        var open = text.LastIndexOf('<');
        if (open >= 0 && text.EndsWith('>')) text = text[(open + 1)..^1];
        return SubscriberService.Normalize(text, out _) ?? text;
    }

    private static JsonElement RequiredObject(JsonElement parent, string name, string path)
        => parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object
            ? value : throw new EventFieldException($"{path}.{name}", $"{name} is required and must be an object.");

    private static string RequiredString(JsonElement parent, string name, string path)
        => OptionalString(parent, name, path) is { Length: > 0 } value ? value : throw new EventFieldException($"{path}.{name}", $"{name} is required.");

    private static string? OptionalString(JsonElement parent, string name, string path)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.String) throw new EventFieldException($"{path}.{name}", $"{name} must be a string.");
        var text = value.GetString()!;
        return text.Length <= 4000 ? text : text[..4000];
    }

    private static async Task RecordSubscriptionAsync(NpgsqlDataSource db, JsonElement root, CancellationToken ct)
    {
        var topic = RequiredString(root, "TopicArn", "$");
        var url = OptionalString(root, "SubscribeURL", "$");
        var messageId = OptionalString(root, "MessageId", "$");
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            "insert into sns_subscriptions (topic_arn, subscribe_url, message_id) values (@topic, @url, @messageId)",
            new { topic, url, messageId }, cancellationToken: ct));
    }

    private static async Task CopyLimitedAsync(Stream from, Stream to, int limit, CancellationToken ct)
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

    internal static IResult Problem(int status, string title, string detail, string? field)
    {
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail };
        if (field is not null) problem.Extensions["errors"] = new Dictionary<string, string[]> { [field] = [detail] };
        return TypedResults.Problem(problem);
    }
}

