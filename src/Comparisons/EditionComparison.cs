namespace Newsletter.Comparisons;

/// <summary>A comparison recorded for an edition, with the admin's order and exclusion.</summary>
public sealed record EditionComparison(long Id, Comparison Comparison, int Position, bool Excluded);
