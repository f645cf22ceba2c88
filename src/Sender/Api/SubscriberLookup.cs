namespace Newsletter.Sender.Api;

/// <summary>The body of <c>POST /api/subscribers/lookup</c>.</summary>
public sealed record SubscriberLookup(string? Email);
