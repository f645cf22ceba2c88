namespace Newsletter.Sender.Editions;

/// <summary>
/// Exponential backoff with jitter for deferred deliveries: base, 2×, 4× ... (base <c>Delivery__RetryBaseDelay</c>,
/// one minute by default), at most 60× the base, ±20 % so retries from one outage do not arrive together.
/// </summary>
public static class RetryPolicy
{
    public static TimeSpan Backoff(int attempts, TimeSpan baseDelay)
    {
        var factor = Math.Min(60, Math.Pow(2, Math.Clamp(attempts - 1, 0, 10)));
        var jitter = 0.8 + (Random.Shared.NextDouble() * 0.4);
        return baseDelay * (factor * jitter);
    }
}
