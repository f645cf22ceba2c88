namespace Newsletter.Comparisons;

/// <summary>A panel or reviewer verdict.</summary>
public enum Verdict
{
    Ship,
    Skip,
}
