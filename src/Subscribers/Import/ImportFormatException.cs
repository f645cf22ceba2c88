namespace Newsletter.Subscribers;

/// <summary>The whole file is unusable (no header, no address column): nothing is imported.</summary>
public sealed class ImportFormatException(string message) : Exception(message);
