namespace Newsletter.Sender.Admin.Pages;

public sealed record StatusCount(string Status, long Count);
