namespace Newsletter.Comparisons;

/// <summary>
/// Values a comparison page's text does not carry, supplied by the caller (the API fills <see cref="Slug"/>,
/// <see cref="PublishedAt"/> and <see cref="Url"/> from the query parameters <c>slug</c>, <c>publishedAt</c>
/// and <c>url</c>). Each one absent is derived by <see cref="ComparisonPageParser"/>:
/// <list type="bullet">
/// <item><c>slug</c>: from the two tool names, <c>code-llama-4-70b-400b-vs-mistral-3-small-22b</c> (<see cref="ComparisonSlug.FromToolNames"/>).</item>
/// <item><c>url</c>: <see cref="ComparisonBaseUrl"/> + <c>/compare/</c> + slug; stays null without a base URL.</item>
/// <item><c>publishedAt</c>: <see cref="Now"/> (the import time). The ingestor keeps an already stored
/// comparison's time instead, so re-importing the same page is "unchanged", not "updated".</item>
/// </list>
/// </summary>
public sealed record PageDefaults
{
    public static PageDefaults None { get; } = new();

    public string? Slug { get; init; }
    public DateTimeOffset? PublishedAt { get; init; }
    public string? Url { get; init; }

    /// <summary>Base URL of the comparison site (<c>Site__ComparisonBaseUrl</c>), e.g. <c>https://example.com</c>.</summary>
    public string? ComparisonBaseUrl { get; init; }

    /// <summary>The clock reading used when <see cref="PublishedAt"/> is absent; null means <see cref="DateTimeOffset.UtcNow"/>.</summary>
    public DateTimeOffset? Now { get; init; }
}
