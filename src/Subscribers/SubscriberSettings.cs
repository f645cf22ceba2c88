namespace Newsletter.Subscribers;

/// <summary>What the subscriber lifecycle needs from configuration (the host maps its options here).</summary>
public sealed record SubscriberSettings
{
    public TimeSpan ConfirmationTtl { get; init; } = TimeSpan.FromHours(48);

    /// <summary>HMAC keys for unsubscribe tokens: the first signs, every one verifies.</summary>
    public required IReadOnlyList<string> UnsubscribeKeys { get; init; }

    public int MaxConfirmationsPerAddressPerDay { get; init; } = 3;
    public int SoftBounceLimit { get; init; } = 3;
    public TimeSpan PendingRetention { get; init; } = TimeSpan.FromDays(30);
    public required string ConsentVersion { get; init; }
}
