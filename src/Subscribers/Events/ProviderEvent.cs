namespace Newsletter.Subscribers;

/// <summary>One bounce or complaint reported by a mail provider.</summary>
public sealed record ProviderEvent(string Type, string Email, string? BounceType, string? Reason, DateTimeOffset? OccurredAt, string Source);
