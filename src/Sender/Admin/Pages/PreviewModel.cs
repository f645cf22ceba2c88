namespace Newsletter.Sender.Admin.Pages;

public sealed record PreviewModel(IReadOnlyList<PreviewItem> Items, string Subject, string Preheader, string Text, string Headers, bool HasDraft,
    string? Notice, string? Error, string TestAddresses, int MaxTestAddresses);
