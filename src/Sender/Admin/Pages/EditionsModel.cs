namespace Newsletter.Sender.Admin.Pages;

public sealed record EditionsModel(IReadOnlyList<EditionProgress> Editions);
