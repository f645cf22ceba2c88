namespace Newsletter.Comparisons;

/// <summary>A stored comparison with its bookkeeping.</summary>
/// <param name="SentInEditionId">The edition that consumed it (see <see cref="ComparisonSelection"/>), or null while unsent.</param>
public sealed record StoredComparison(long Id, Comparison Comparison, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, long? SentInEditionId);
