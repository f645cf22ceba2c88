namespace Newsletter.Comparisons;

/// <summary>What one ingested document became.</summary>
public sealed record IngestResult(long Id, string Slug, UpsertOutcome Outcome);
