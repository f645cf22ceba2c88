using System.Globalization;
using System.Text.Json;

namespace Newsletter.Subscribers;

/// <summary>
/// Reads bounces and complaints reported by a mail provider: our generic JSON shape (an object or an array of them),
/// or Amazon SES notifications, raw or in an SNS envelope. Throws <see cref="EventFieldException"/> naming the first
/// wrong field as a JSON path, so nothing is applied from a document that is partly wrong.
/// </summary>
public static class ProviderEventParser
{
    public const int MaxEventsPerRequest = 10_000;

    /// <summary>Reads a whole posted document: an SNS envelope, a raw SES notification or the generic shape.</summary>
    public static ProviderDocument Parse(JsonElement root)
    {
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("Type", out var snsType))
        {
            var type = snsType.ValueKind == JsonValueKind.String ? snsType.GetString() : null;
            switch (type)
            {
                case "SubscriptionConfirmation":
                    return new ProviderDocument([], null, new SnsSubscription(RequiredString(root, "TopicArn", "$"),
                        OptionalString(root, "SubscribeURL", "$"), OptionalString(root, "MessageId", "$")));
                case "UnsubscribeConfirmation":
                    return new ProviderDocument([], "SNS unsubscribe confirmation ignored.", null);
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
                        var events = ParseSes(inner.RootElement, "$.Message", out var note);
                        return new ProviderDocument(events, note, null);
                    }
                default:
                    throw new EventFieldException("$.Type", "Type must be Notification, SubscriptionConfirmation or UnsubscribeConfirmation.");
            }
        }
        if (root.ValueKind == JsonValueKind.Object && (root.TryGetProperty("notificationType", out _) || root.TryGetProperty("eventType", out _)))
        {
            var events = ParseSes(root, "$", out var note); // SES notification without the SNS envelope (raw delivery)
            return new ProviderDocument(events, note, null);
        }
        return new ProviderDocument(ParseGeneric(root), null, null);
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
    internal static string ProviderAddress(string text)
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
}
