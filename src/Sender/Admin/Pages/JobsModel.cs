namespace Newsletter.Sender.Admin.Pages;

public sealed record JobsModel(bool Enabled, string Cron, string TimeZone, string? Description, DateTimeOffset? Previous, DateTimeOffset? Next,
    string? TriggerState, IReadOnlyList<InstanceRow> Instances, string? Error);
