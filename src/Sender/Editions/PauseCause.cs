using System.Text.Json.Serialization;

namespace Newsletter.Sender.Editions;

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
