using System.Text.Json.Serialization;

namespace Newsletter.Sender.Editions;

/// <summary>An edition as the API and the console show it: its state, why it is paused or ended, and its delivery counts.</summary>
public sealed record EditionSummary(long Id, EditionState State, string? Reason, string? Subject, DateTimeOffset Cutoff, DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, int Recipients, DeliveryCounts Deliveries)
{
    /// <summary>True while the edition's deliveries are still being queued (<see cref="Recipients"/> still grows).</summary>
    public bool Queueing { get; init; }

    /// <summary>Why a paused edition is paused; null otherwise.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public PauseCause? PauseCause { get; init; }
}
