namespace Newsletter.Comparisons;

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
