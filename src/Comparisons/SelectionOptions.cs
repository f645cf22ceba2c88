namespace Newsletter.Comparisons;

/// <summary>
/// How many comparisons an edition takes and how old they may be (section <c>Newsletter</c>, so the settings
/// read <c>Newsletter__MaxComparisonsPerEdition</c> and <c>Newsletter__ComparisonLookBackDays</c>).
/// See <see cref="ComparisonSelection"/>.
/// </summary>
public sealed class SelectionOptions
{
    public const string Section = "Newsletter";

    /// <summary>At most this many comparisons go into one edition, 1 to 50.</summary>
    public int MaxComparisonsPerEdition { get; set; } = 6;

    /// <summary>How far back before an edition's cutoff an unsent comparison is still eligible, 1 to 3650.</summary>
    public int ComparisonLookBackDays { get; set; } = 14;

    public TimeSpan LookBack => TimeSpan.FromDays(Math.Clamp(ComparisonLookBackDays, 1, 3650));
}
