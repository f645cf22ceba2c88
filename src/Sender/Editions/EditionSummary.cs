namespace Newsletter.Sender.Editions;

public sealed record EditionSummary(long Id, string State, string? Reason, string? Subject, DateTimeOffset Cutoff, DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, int Recipients, IReadOnlyDictionary<string, long> Deliveries)
{
    /// <summary>True while the edition's deliveries are still being queued (<see cref="Recipients"/> still grows).</summary>
    public bool Queueing { get; init; }
}
