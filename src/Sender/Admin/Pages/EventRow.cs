namespace Newsletter.Sender.Admin.Pages;

public sealed record EventRow(DateTimeOffset At, string? From, string To, string Cause, string? Detail);
