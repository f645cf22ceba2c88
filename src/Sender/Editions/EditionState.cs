using System.Text.Json.Serialization;

namespace Newsletter.Sender.Editions;

/// <summary>
/// Where an edition stands. Stored as the member's name in lower case (<see cref="Newsletter.Database.DbValue"/>);
/// changed only through <see cref="EditionTransitions"/>.
/// </summary>
[JsonConverter(typeof(CamelCaseEnumConverter<EditionState>))]
public enum EditionState
{
    /// <summary>The coming edition while an admin orders or excludes its comparisons.</summary>
    Draft,
    /// <summary>Waiting for its send time.</summary>
    Scheduled,
    /// <summary>Its deliveries are being queued or sent.</summary>
    Sending,
    /// <summary>No delivery is claimed until it resumes; see <see cref="PauseCause"/>.</summary>
    Paused,
    /// <summary>Stopped for good: what was not handed to the relay was skipped.</summary>
    Cancelled,
    /// <summary>Every delivery settled, at least one delivered.</summary>
    Sent,
    /// <summary>Not sent at all (nothing new, nobody to send to, a late slot), with the reason.</summary>
    Skipped,
    /// <summary>Settled with nothing delivered, or its content could not be built.</summary>
    Failed,
}
