using System.Collections.Concurrent;

namespace Newsletter.Sender.Admin;

/// <summary>
/// Login throttling, whatever the outcome: at most <see cref="PerAddressPerMinute"/> attempts a minute from one client
/// address, and <see cref="PerMinute"/> for one user name from that address. The user name is never counted across
/// addresses, so wrong guesses from elsewhere cannot lock the real admin out. In memory: per instance.
/// </summary>
public sealed class LoginThrottle(TimeProvider time)
{
    public const int PerMinute = 5;
    public const int PerAddressPerMinute = 20;
    private readonly ConcurrentDictionary<string, Window> windows = new(StringComparer.Ordinal);

    private sealed class Window
    {
        public DateTimeOffset Start;
        public int Count;
    }

    /// <summary>Counts one attempt for the address and for the name from it; null when allowed, else how long to wait.</summary>
    public TimeSpan? Attempt(string ip, string user)
    {
        var now = time.GetUtcNow();
        TimeSpan? wait = null;
        foreach (var (key, limit) in new[] { ("ip:" + ip, PerAddressPerMinute), ("user:" + ip + "\n" + user.Trim().ToLowerInvariant(), PerMinute) })
        {
            var w = windows.GetOrAdd(key, _ => new Window { Start = now });
            lock (w)
            {
                if (now - w.Start >= TimeSpan.FromMinutes(1))
                {
                    w.Start = now;
                    w.Count = 0;
                }
                w.Count++;
                if (w.Count > limit)
                {
                    var left = w.Start + TimeSpan.FromMinutes(1) - now;
                    wait = wait is null || left > wait ? left : wait;
                }
            }
        }
        if (windows.Count > 10_000)
        {
            foreach (var (k, w) in windows)
                if (now - w.Start > TimeSpan.FromMinutes(2)) windows.TryRemove(k, out _);
        }
        return wait;
    }
}
