namespace Newsletter.Sender.Editions;

/// <summary>Where queueing an edition stands: recipients after <see cref="After"/> up to <see cref="Until"/> are still to queue.</summary>
public sealed record QueueCursor(long After, long Until, EditionState State);
