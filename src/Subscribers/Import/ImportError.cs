namespace Newsletter.Subscribers;

/// <summary>One rejected line of an import.</summary>
public sealed record ImportError(int Line, string Message);
