namespace Newsletter.Comparisons;

public enum ComparisonStatusFilter
{
    All,
    Sent,
    Unsent,
}
