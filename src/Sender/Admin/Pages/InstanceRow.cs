namespace Newsletter.Sender.Admin.Pages;

public sealed record InstanceRow(string Name, DateTimeOffset LastCheckin, TimeSpan Interval, bool Stale);
