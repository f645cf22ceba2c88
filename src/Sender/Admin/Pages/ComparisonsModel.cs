namespace Newsletter.Sender.Admin.Pages;

public sealed record ComparisonsModel(IReadOnlyList<ComparisonRow> Rows, string Status, IReadOnlyList<ImportLine>? Results);
