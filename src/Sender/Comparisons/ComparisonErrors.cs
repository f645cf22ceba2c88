namespace Newsletter.Sender.Comparisons;

/// <summary>Base of every "this comparison input is not acceptable" error: the caller answers 400 or prints "rejected".</summary>
public abstract class ComparisonInputException : Exception
{
    protected ComparisonInputException(string message) : base(message) { }
}

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

/// <summary>One broken rule, naming the field the way the JSON shape spells it (<c>tools[1].panelShipPercent</c>).</summary>
public sealed record ComparisonValidationError(string Field, string Message)
{
    public override string ToString() => $"{Field}: {Message}";
}

/// <summary>The input was readable but breaks the content rules (see <see cref="ComparisonValidator"/>).</summary>
public sealed class ComparisonValidationException : ComparisonInputException
{
    public ComparisonValidationException(IReadOnlyList<ComparisonValidationError> errors)
        : base(string.Join("; ", errors))
    {
        Errors = errors;
    }

    public IReadOnlyList<ComparisonValidationError> Errors { get; }
}
