namespace Newsletter.Sender.Admin.Pages;

public sealed record WeekCount(DateOnly WeekStart, long Count);
