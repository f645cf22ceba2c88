namespace Newsletter.Sender.Admin.Pages;

/// <summary>One bounce or complaint on the subscriber page: kind, where it came from (smtp, mailbox, webhook) and its diagnostic text.</summary>
public sealed record BounceRow(DateTimeOffset At, long? EditionId, string Kind, string Source, string? Detail);
