namespace Newsletter.Sender.Admin.Pages;

public sealed record ComparisonRow(long Id, string Slug, string Title, string? Url, DateTimeOffset PublishedAt, string? Category, long? SentInEditionId, DateTimeOffset? SentAt);
