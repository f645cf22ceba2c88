namespace Newsletter.Comparisons;

/// <summary>One row of the admin list.</summary>
public sealed record ComparisonListItem(
    long Id,
    string Slug,
    string Title,
    string? Url,
    DateTimeOffset PublishedAt,
    string? Category,
    DateTimeOffset UpdatedAt,
    long? SentInEditionId,
    DateTimeOffset? SentAt);
