namespace Newsletter.Sender.Editions;

/// <summary>One fetch of a tracked link (<see cref="LinkId"/> 0: the open pixel); <see cref="SubscriberId"/> only in Individual mode.</summary>
public readonly record struct Click(long EditionId, int LinkId, bool Machine, long? SubscriberId, DateTimeOffset At);
