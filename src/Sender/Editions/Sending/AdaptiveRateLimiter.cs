using Newsletter.Mail.Smtp;

namespace Newsletter.Sender.Editions;

/// <summary>
/// Messages per second towards one SMTP server. Starts at the configured ceiling (0 = none). A throttling reply
/// (421, 454, or 450/451/452 that speaks of rate, connections or "too many") halves the rate, starting from what was
/// actually achieved in the last second when no ceiling was set; every second without one raises it by 10 % until it
/// is back at the ceiling (or, with none, until it no longer limits). Thread-safe; waiting is asynchronous.
/// </summary>
public sealed class AdaptiveRateLimiter(double ceiling, TimeProvider time)
{
    private const double Floor = 1;
    private readonly Lock gate = new();
    private double? rate = ceiling > 0 ? ceiling : null; // null: unlimited
    private double tokens = 1;
    private DateTimeOffset lastRefill = time.GetUtcNow();
    private DateTimeOffset lastThrottle = DateTimeOffset.MinValue;
    private DateTimeOffset windowStart = time.GetUtcNow();
    private int sentInWindow;
    private double achieved;

    /// <summary>The current limit in messages per second, or null when unlimited.</summary>
    public double? Rate { get { lock (gate) return rate; } }

    /// <summary>Waits until one more message may go.</summary>
    public async ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            TimeSpan wait;
            lock (gate)
            {
                var now = time.GetUtcNow();
                CountAndRecover(now);
                if (rate is null)
                {
                    sentInWindow++;
                    return;
                }
                tokens = Math.Min(Math.Max(1, rate.Value), tokens + ((now - lastRefill).TotalSeconds * rate.Value));
                lastRefill = now;
                if (tokens >= 1)
                {
                    tokens -= 1;
                    sentInWindow++;
                    return;
                }
                wait = TimeSpan.FromSeconds((1 - tokens) / rate.Value);
            }
            await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Slows down when <paramref name="error"/> is a throttling reply; returns whether it was one.</summary>
    public bool OnFailure(Exception error)
    {
        if (!IsThrottling(error)) return false;
        lock (gate)
        {
            var now = time.GetUtcNow();
            CountAndRecover(now);
            var basis = rate ?? Math.Max(achieved, sentInWindow);
            rate = Math.Max(Floor, basis / 2);
            tokens = 0;
            lastThrottle = now;
        }
        return true;
    }

    /// <summary>RFC 5321 §4.2 / RFC 3463: 421 (service closing), 454, and 450-452 worded as a rate or connection limit.</summary>
    public static bool IsThrottling(Exception error)
    {
        if (error is not SmtpCommandException c) return false;
        if (c.StatusCode is 421 or 454) return true;
        if (c.StatusCode is not (450 or 451 or 452)) return false;
        var text = c.ServerText.ToLowerInvariant();
        return text.Contains("rate") || text.Contains("too many") || text.Contains("throttl") || text.Contains("limit")
               || text.Contains("try again later") || c.EnhancedStatusCode is "4.7.0" or "4.7.1" or "4.3.2" or "4.4.5";
    }

    private void CountAndRecover(DateTimeOffset now)
    {
        if (now - windowStart >= TimeSpan.FromSeconds(1))
        {
            achieved = sentInWindow / (now - windowStart).TotalSeconds;
            sentInWindow = 0;
            windowStart = now;
            if (rate is not null && now - lastThrottle >= TimeSpan.FromSeconds(1))
            {
                var next = rate.Value * 1.1;
                if (ceiling > 0) rate = Math.Min(ceiling, next);
                else rate = next > Math.Max(achieved, 1) * 4 ? null : next; // far above what we achieve: no longer a limit
            }
        }
    }
}
