namespace Newsletter.Comparisons;

/// <summary>One reviewer persona (Builder, Skeptic, Futurist, Founder, or others the site adds).</summary>
public sealed record Reviewer
{
    public required string Persona { get; init; }

    /// <summary>One take per tool, in the comparison's tool order.</summary>
    public required IReadOnlyList<ReviewerTake> Takes { get; init; }
}
