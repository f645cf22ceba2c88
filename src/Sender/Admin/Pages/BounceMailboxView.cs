namespace Newsletter.Sender.Admin.Pages;

/// <summary>The bounce mailbox on the dashboard: when it last answered and its last error, if that came later.</summary>
public sealed record BounceMailboxView(DateTimeOffset? LastAnsweredAt, string? LastError, DateTimeOffset? LastErrorAt);
