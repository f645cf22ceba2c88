using System.Threading.RateLimiting;

namespace Newsletter.Sender.Public;

/// <summary>
/// A fixed-window limiter whose window is measured on a <see cref="TimeProvider"/> (the framework's
/// <see cref="FixedWindowRateLimiter"/> reads the machine's clock), so a test can hold the window still. No queue:
/// a request over the limit is refused at once, with the time until the window ends as its Retry-After.
/// </summary>
public sealed class ClockFixedWindowRateLimiter(int permitLimit, TimeSpan window, TimeProvider time) : RateLimiter
{
    private readonly Lock gate = new();
    private long windowStart = time.GetTimestamp();
    private int used;

    public override TimeSpan? IdleDuration
    {
        get
        {
            lock (gate)
            {
                var elapsed = time.GetElapsedTime(windowStart);
                if (used == 0) return elapsed;
                return elapsed >= window ? elapsed - window : null;
            }
        }
    }

    public override RateLimiterStatistics? GetStatistics()
    {
        lock (gate)
        {
            Roll();
            return new RateLimiterStatistics { CurrentAvailablePermits = permitLimit - used };
        }
    }

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(permitCount);
        lock (gate)
        {
            Roll();
            if (used + permitCount <= permitLimit)
            {
                used += permitCount;
                return Lease.Acquired;
            }
            return new Lease(false, window - time.GetElapsedTime(windowStart));
        }
    }

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
        => ValueTask.FromResult(AttemptAcquireCore(permitCount));

    /// <summary>Starts a new window once the current one has ended.</summary>
    private void Roll()
    {
        if (time.GetElapsedTime(windowStart) < window) return;
        windowStart = time.GetTimestamp();
        used = 0;
    }

    private sealed class Lease(bool acquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public static readonly Lease Acquired = new(true, null);

        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            if (retryAfter is { } after && metadataName == MetadataName.RetryAfter.Name)
            {
                metadata = after;
                return true;
            }
            metadata = null;
            return false;
        }
    }
}
