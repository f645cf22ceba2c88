namespace Newsletter.Comparisons;

/// <summary>
/// One published comparison page: two tools side by side, the panel verdicts, pricing and the
/// reviewer scorecard. This is the content model shared by ingestion (the readers in src/Comparisons),
/// storage (a jsonb document) and rendering (the edition email and the archive).
/// Missing values stay <c>null</c>: the importer never invents a value the page did not give.
/// </summary>
public sealed record Comparison
{
    /// <summary>Stable identifier on the site, e.g. <c>code-llama-4-vs-mistral-3-small</c>.</summary>
    public required string Slug { get; init; }

    /// <summary>"A vs B".</summary>
    public required string Title { get; init; }

    /// <summary>Absolute URL of the page on the comparison site, when known.</summary>
    public string? Url { get; init; }

    /// <summary>When the site published (or last materially changed) the comparison.</summary>
    public required DateTimeOffset PublishedAt { get; init; }

    /// <summary>Category of the comparison (usually the tools' shared category).</summary>
    public string? Category { get; init; }

    /// <summary>The page's lead sentence ("Which one should you ship with? ..."), when given.</summary>
    public string? Summary { get; init; }

    /// <summary>Exactly two tools, in page order.</summary>
    public required IReadOnlyList<Tool> Tools { get; init; }

    /// <summary>The reviewer scorecard, in page order; each reviewer has one take per tool, in <see cref="Tools"/> order.</summary>
    public required IReadOnlyList<Reviewer> Reviewers { get; init; }
}
