namespace Newsletter.Sender.Admin.Pages;

public sealed record PreviewItem(long Id, string Title, string ToolA, string ToolB, DateTimeOffset PublishedAt, bool Excluded, int Position);
