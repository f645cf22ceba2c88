namespace Newsletter.Templates.Model;

/// <summary>
/// One published comparison page: two tools side by side, the panel verdicts, pricing and the
/// reviewer scorecard. This is the content model shared by ingestion (src/Sender/Comparisons),
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

/// <summary>A panel or reviewer verdict.</summary>
public enum Verdict
{
    Ship,
    Skip,
}

/// <summary>One side of a comparison.</summary>
public sealed record Tool
{
    public required string Name { get; init; }
    public string? Category { get; init; }

    /// <summary>The "best for" line.</summary>
    public string? Tagline { get; init; }
    public string? Description { get; init; }

    /// <summary>Entry price label as the site shows it: "Free", "Paid", "Freemium", ...</summary>
    public string? EntryPrice { get; init; }

    /// <summary>Pricing detail, e.g. "Free (open weights, self-hosted) / Inference costs vary by provider".</summary>
    public string? PricingDetail { get; init; }

    /// <summary>Panel verdict (Ship or Skip), when the page states one.</summary>
    public Verdict? PanelVerdict { get; init; }

    /// <summary>Number of panel reviewers voting ship, e.g. 3 in "3 ship / 1 skip".</summary>
    public int? PanelShipVotes { get; init; }

    /// <summary>Number of panel reviewers voting skip, e.g. 1 in "3 ship / 1 skip".</summary>
    public int? PanelSkipVotes { get; init; }

    /// <summary>Panel ship percentage, 0-100.</summary>
    public int? PanelShipPercent { get; init; }

    /// <summary>Community votes cast; <c>null</c> when the site shows none yet.</summary>
    public int? CommunityVotes { get; init; }

    /// <summary>Community ship percentage, 0-100, when the site shows one.</summary>
    public int? CommunityShipPercent { get; init; }
}

/// <summary>One reviewer persona (Builder, Skeptic, Futurist, Founder, or others the site adds).</summary>
public sealed record Reviewer
{
    public required string Persona { get; init; }

    /// <summary>One take per tool, in the comparison's tool order.</summary>
    public required IReadOnlyList<ReviewerTake> Takes { get; init; }
}

/// <summary>A reviewer's view of one tool.</summary>
public sealed record ReviewerTake
{
    /// <summary>Score out of 100, when given.</summary>
    public int? Score { get; init; }

    /// <summary>Verdict, when given.</summary>
    public Verdict? Verdict { get; init; }

    /// <summary>The quote, without surrounding quotation marks.</summary>
    public string? Quote { get; init; }
}
