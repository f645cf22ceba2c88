namespace Newsletter.Sender.Admin.Pages;

public sealed record SendConfirmModel(IReadOnlyList<PreviewItem> Items, string Subject, long Recipients);
