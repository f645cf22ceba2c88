namespace Newsletter.Comparisons;

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
