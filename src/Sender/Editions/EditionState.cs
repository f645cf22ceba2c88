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

/// <summary>Why an edition is paused; the human reason is stored beside it.</summary>
[JsonConverter(typeof(CamelCaseEnumConverter<PauseCause>))]
public enum PauseCause
{
    /// <summary>An admin or an API key paused it; it waits for a resume.</summary>
    Operator,
    /// <summary>The relay kept failing; a probe resumes it once the relay takes mail again.</summary>
    Relay,
    /// <summary>Its content cannot be built (a template broke); it waits for an admin.</summary>
    Content,
    /// <summary>Paused by the relay longer than <c>Delivery__MaxStaleness</c>; whether readers still get it is an admin's call.</summary>
    Stale,
    /// <summary>Too many complaints for its deliveries so far.</summary>
    Complaints,
    /// <summary>Too many hard bounces for its deliveries so far.</summary>
    Bounces,
}
