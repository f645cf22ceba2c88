namespace Newsletter.Sender.Admin.Pages;

public sealed record SpamRule(double Score, string Name, string Description);
