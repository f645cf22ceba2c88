namespace Newsletter.Subscribers;

/// <summary>What a posted document of provider events did (the answer of <c>POST /api/events</c>).</summary>
public sealed record EventsResult(int Received, int Applied, int Unchanged, int Unknown, string? Note = null);
