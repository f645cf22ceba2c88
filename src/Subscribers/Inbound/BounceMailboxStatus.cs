namespace Newsletter.Subscribers;

/// <summary>When the bounce mailbox last answered, and its last error (UTC times).</summary>
public sealed record BounceMailboxStatus(DateTime? LastAnsweredAt, string? LastError, DateTime? LastErrorAt);
