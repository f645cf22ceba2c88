namespace Newsletter.Sender.Editions;

/// <summary>Reader clicks on a comparison's links.</summary>
public sealed record ComparisonClicks(string Slug, long Clicks, long? Unique, long Machine);
