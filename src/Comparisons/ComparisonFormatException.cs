namespace Newsletter.Comparisons;

/// <summary>
/// The input could not be read at all: page text without a title or tool cards, malformed JSON.
/// <see cref="Line"/> is 1-based; <see cref="Path"/> is the JSON path (<c>$.tools[1].name</c>) for JSON input.
/// </summary>
public sealed class ComparisonFormatException : ComparisonInputException
{
    public ComparisonFormatException(string message, int? line = null, string? path = null)
        : base(line is null ? message : $"line {line}: {message}")
    {
        Line = line;
        Path = path;
    }

    public int? Line { get; }
    public string? Path { get; }
}
