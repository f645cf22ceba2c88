namespace Newsletter.Sender.Admin.Pages;

public sealed record ConsentRow(DateTimeOffset SignedUpAt, string? Ip, string? UserAgent, string? Source, string ConsentVersion, DateTimeOffset? ConfirmedAt, string? ConfirmedIp);
