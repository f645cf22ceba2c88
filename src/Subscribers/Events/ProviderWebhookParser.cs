using System.Globalization;
using System.Text.Json;

namespace Newsletter.Subscribers;

/// <summary>
/// The bounce and complaint webhooks of SendGrid, Postmark and Mailgun, read into <see cref="ProviderEvent"/>s (the
/// payloads are described in docs/bounces.md). Event types that are not bounces or complaints are skipped and named in
/// the note; a malformed payload throws <see cref="EventFieldException"/> naming the field.
/// </summary>
public static class ProviderWebhookParser
{
    /// <summary>SendGrid's Event Webhook: a JSON array of events.</summary>
    public static ProviderDocument SendGrid(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Array) throw new EventFieldException("$", "SendGrid posts a JSON array of events.");
        var events = new List<ProviderEvent>();
        var skipped = new SortedSet<string>(StringComparer.Ordinal);
        var i = 0;
        foreach (var e in root.EnumerateArray())
        {
            var path = $"$[{i++}]";
            if (e.ValueKind != JsonValueKind.Object) throw new EventFieldException(path, "each event must be an object.");
            var type = Required(e, "event", path);
            string? kind = type switch
            {
                // "bounce" events are hard bounces; SendGrid's "blocked" bounce type is a temporary refusal.
                "bounce" => String(e, "type") == "blocked" ? "soft" : "hard",
                "spamreport" => "complaint",
                _ => null,
            };
            if (kind is null)
            {
                skipped.Add(type);
                continue;
            }
            var reason = string.Join(" ", new[] { String(e, "status"), String(e, "reason") }.Where(s => !string.IsNullOrEmpty(s)));
            var at = e.TryGetProperty("timestamp", out var ts) && ts.TryGetInt64(out var seconds) ? DateTimeOffset.FromUnixTimeSeconds(seconds) : (DateTimeOffset?)null;
            events.Add(Event(kind, Required(e, "email", path), reason, at, "sendgrid"));
        }
        return new ProviderDocument(events, Note(skipped), null);
    }

    /// <summary>Postmark's bounce webhook (<c>RecordType: Bounce</c>) or spam complaint webhook (<c>RecordType: SpamComplaint</c>): one object.</summary>
    public static ProviderDocument Postmark(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object) throw new EventFieldException("$", "Postmark posts one JSON object.");
        var record = String(root, "RecordType") ?? "Bounce";
        var type = String(root, "Type") ?? "";
        string? kind = record == "SpamComplaint" || type == "SpamComplaint" ? "complaint" : record != "Bounce" ? null : type switch
        {
            "HardBounce" or "BadEmailAddress" or "ManuallyDeactivated" => "hard",
            "SoftBounce" or "Transient" or "DnsError" or "MailboxFull" => "soft",
            _ => null, // AutoResponder, Unsubscribe, SubscriptionChange, Blocked, ...: not about the address
        };
        if (kind is null) return new ProviderDocument([], $"Postmark {record} of type '{type}' ignored.", null);
        var reason = string.Join(": ", new[] { type, String(root, "Description"), String(root, "Details") }.Where(s => !string.IsNullOrEmpty(s)));
        var at = String(root, "BouncedAt") is { } s
                 && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) ? parsed : (DateTimeOffset?)null;
        return new ProviderDocument([Event(kind, Required(root, "Email", "$"), reason, at, "postmark")], null, null);
    }

    /// <summary>Mailgun's webhook: <c>{"signature": {...}, "event-data": {...}}</c>, event <c>failed</c> (permanent or temporary) or <c>complained</c>.</summary>
    public static ProviderDocument Mailgun(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("event-data", out var data) || data.ValueKind != JsonValueKind.Object)
            throw new EventFieldException("$.event-data", "event-data is required and must be an object.");
        var type = Required(data, "event", "$.event-data");
        string? kind = type switch
        {
            "failed" => String(data, "severity") == "permanent" ? "hard" : "soft",
            "complained" => "complaint",
            _ => null,
        };
        if (kind is null) return new ProviderDocument([], $"Mailgun event '{type}' ignored.", null);
        var reason = String(data, "reason");
        if (data.TryGetProperty("delivery-status", out var status) && status.ValueKind == JsonValueKind.Object)
        {
            var code = status.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.Number ? c.GetRawText() : null;
            reason = string.Join(" ", new[] { code, String(status, "message"), String(status, "description"), reason }.Where(s => !string.IsNullOrEmpty(s)));
        }
        var at = data.TryGetProperty("timestamp", out var ts) && ts.TryGetDouble(out var seconds)
            ? DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000)) : (DateTimeOffset?)null;
        return new ProviderDocument([Event(kind, Required(data, "recipient", "$.event-data"), reason, at, "mailgun")], null, null);
    }

    private static ProviderEvent Event(string kind, string email, string? reason, DateTimeOffset? at, string source)
        => new(kind == "complaint" ? "complaint" : "bounce", ProviderEventParser.ProviderAddress(email), kind == "complaint" ? null : kind, reason, at, source);

    private static string? Note(SortedSet<string> skipped) => skipped.Count == 0 ? null : "ignored event types: " + string.Join(", ", skipped);

    private static string Required(JsonElement parent, string name, string path)
        => String(parent, name) is { Length: > 0 } value ? value : throw new EventFieldException($"{path}.{name}", $"{name} is required.");

    private static string? String(JsonElement parent, string name)
        => parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
