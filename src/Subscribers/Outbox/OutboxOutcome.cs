namespace Newsletter.Subscribers;

/// <summary>
/// The outcome of one claimed mail: <see cref="Attempts"/> is the attempt its claim counted (the write changes the row
/// only under that claim); <see cref="RetryIn"/> is when a deferred mail is due again.
/// </summary>
public sealed record OutboxOutcome(long Id, int Attempts, OutboxState State, string Reply, TimeSpan RetryIn);
