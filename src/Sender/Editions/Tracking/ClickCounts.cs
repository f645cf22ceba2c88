namespace Newsletter.Sender.Editions;

/// <summary>
/// Clicks by readers (<see cref="Total"/>) and by machines (<see cref="Machine"/>, not in the totals); <see cref="Unique"/>:
/// readers who clicked, null where the mode does not know readers.
/// </summary>
public sealed record ClickCounts(long Total, long Machine, long? Unique, IReadOnlyList<ComparisonClicks> ByComparison, IReadOnlyList<LinkClicks> ByLink);
