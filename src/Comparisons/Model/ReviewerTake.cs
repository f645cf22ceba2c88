namespace Newsletter.Comparisons;

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
