namespace Newsletter.Sender.Admin.Pages;

public sealed record DashboardModel(IReadOnlyList<StatusCount> Statuses, IReadOnlyList<WeekCount> Growth, DateTimeOffset? NextSend,
    string? NextSendLocal, string ScheduleText, bool ScheduleEnabled, IReadOnlyList<EditionProgress> Editions, long UnsentComparisons);
