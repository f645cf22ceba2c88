namespace Newsletter.Comparisons;

public enum UpsertOutcome
{
    Created,
    Updated,
    Unchanged,
}
