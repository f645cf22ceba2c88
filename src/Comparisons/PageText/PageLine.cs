namespace Newsletter.Comparisons;

/// <summary>One non-blank line of page text, trimmed, with its 1-based line number for error messages.</summary>
internal readonly record struct PageLine(int Number, string Text);
