namespace Newsletter.Sender.Admin.Pages;

public sealed record SpamModel(bool Installed, double? Score, double? Required, IReadOnlyList<SpamRule> Rules, string? Error, string Subject);
