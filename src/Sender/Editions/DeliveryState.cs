using System.Text.Json.Serialization;

namespace Newsletter.Sender.Editions;

/// <summary>One edition to one reader. Stored like <see cref="EditionState"/>.</summary>
[JsonConverter(typeof(CamelCaseEnumConverter<DeliveryState>))]
public enum DeliveryState
{
    /// <summary>Queued, never tried.</summary>
    Pending,
    /// <summary>Claimed by a worker (under its lease).</summary>
    Sending,
    /// <summary>Accepted by the relay.</summary>
    Sent,
    /// <summary>Refused for now (4xx, a dropped connection); due again after its backoff.</summary>
    Deferred,
    /// <summary>Refused for good (5xx) or out of retry window.</summary>
    Failed,
    /// <summary>Not sent: the reader left, or the edition was cancelled.</summary>
    Skipped,
}
