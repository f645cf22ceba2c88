namespace Newsletter.Comparisons;

/// <summary>Base of every "this comparison input is not acceptable" error: the caller answers 400 or prints "rejected".</summary>
public abstract class ComparisonInputException : Exception
{
    protected ComparisonInputException(string message) : base(message) { }
}
