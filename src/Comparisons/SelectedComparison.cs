namespace Newsletter.Comparisons;

/// <summary>A comparison picked for an edition.</summary>
public sealed record SelectedComparison(long Id, Comparison Comparison);
