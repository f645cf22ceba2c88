namespace Newsletter.Sender.Admin.Pages;

/// <param name="BounceMailbox">When the bounce mailbox last answered and its last error; null when none is configured.</param>
/// <param name="LastRunState">Hangfire's state of the weekly job's last run (e.g. Succeeded, Scheduled for a retry, Failed).</param>
public sealed record DashboardModel(IReadOnlyList<StatusCount> Statuses, IReadOnlyList<WeekCount> Growth, DateTimeOffset? NextSend,
    string? NextSendLocal, string ScheduleText, bool ScheduleEnabled, IReadOnlyList<EditionProgress> Editions, long UnsentComparisons,
    string? LastRunState = null, string? LastRunJobId = null, BounceMailboxView? BounceMailbox = null)
{
    /// <summary>Click and unsubscribe rates of the last editions, oldest first.</summary>
    public IReadOnlyList<Newsletter.Sender.Editions.EditionRates> Rates { get; init; } = [];

    /// <summary>Webhook events given up, newest first.</summary>
    public IReadOnlyList<Newsletter.Sender.Jobs.WebhookFailure> WebhookFailures { get; init; } = [];

    /// <summary>Webhook events that failed at least once and are still being retried.</summary>
    public long WebhooksRetrying { get; init; }
}
