namespace Newsletter.Subscribers;

/// <summary>A field of the posted document is missing or wrong; names it as a JSON path.</summary>
public sealed class EventFieldException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}
