namespace Newsletter.Comparisons;

/// <summary>What <see cref="ComparisonStore.UpsertAsync"/> did, and the comparison's id.</summary>
public sealed record UpsertResult(long Id, string Slug, UpsertOutcome Outcome);
