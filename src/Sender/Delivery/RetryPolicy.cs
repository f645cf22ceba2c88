namespace Newsletter.Sender.Delivery;

/// <summary>Exponential backoff with jitter for deferred deliveries: 1, 2, 4 ... minutes, at most an hour, ±20 %.</summary>
public static class RetryPolicy
{
    public static TimeSpan Backoff(int attempts)
    {
        var minutes = Math.Min(60, Math.Pow(2, Math.Clamp(attempts - 1, 0, 10)));
        var jitter = 0.8 + (Random.Shared.NextDouble() * 0.4);
        return TimeSpan.FromMinutes(minutes * jitter);
    }
}
