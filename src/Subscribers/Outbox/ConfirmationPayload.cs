using System.Text.Json;

namespace Newsletter.Subscribers;

/// <summary>
/// The outbox payload of a confirmation mail: the token to link to and when the link expires. Its JSON shape is
/// defined here once; the signup writes it with <see cref="ToJson"/>, the set-based import builds it in SQL from
/// <see cref="TokenProperty"/> and <see cref="ExpiresAtProperty"/>, the delivery side reads it with <see cref="FromJson"/>.
/// </summary>
public sealed record ConfirmationPayload(string Token, DateTimeOffset ExpiresAt)
{
    public const string TokenProperty = "token";
    public const string ExpiresAtProperty = "expiresAt";

    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString(TokenProperty, Token);
            writer.WriteString(ExpiresAtProperty, ExpiresAt);
            writer.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Reads a payload written by either writer; throws <see cref="KeyNotFoundException"/> if a property is missing.</summary>
    public static ConfirmationPayload FromJson(JsonElement payload)
        => new(payload.GetProperty(TokenProperty).GetString()!, payload.GetProperty(ExpiresAtProperty).GetDateTimeOffset());
}
