namespace Newsletter.Subscribers;

/// <summary>
/// The whole file is unusable (no header, no address column, a row too long to read): nothing is imported.
/// <see cref="Line"/> is the line at fault when there is one (the header's problems have none).
/// </summary>
public sealed class ImportFormatException(string message, int? line = null) : Exception(message)
{
    public int? Line { get; } = line;
}
