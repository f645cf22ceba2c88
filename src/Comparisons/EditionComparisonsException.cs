namespace Newsletter.Comparisons;

/// <summary>The edition cannot be reordered (absent, past draft/scheduled, or the ids do not match its comparisons).</summary>
public sealed class EditionComparisonsException(string message) : Exception(message);
