using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Newsletter.Sender.Admin;

/// <summary>
/// Login throttling: at most <see cref="PerMinute"/> attempts a minute per client IP and per user name (each
/// counted separately), whatever the outcome. In memory: per instance.
/// </summary>
public sealed class LoginThrottle(TimeProvider time)
{
    public const int PerMinute = 5;
    private readonly ConcurrentDictionary<string, Window> windows = new(StringComparer.Ordinal);

    private sealed class Window
    {
        public DateTimeOffset Start;
        public int Count;
    }

    /// <summary>Counts one attempt for each key; null when allowed, else how long to wait.</summary>
    public TimeSpan? Attempt(string ip, string user)
    {
        var now = time.GetUtcNow();
        TimeSpan? wait = null;
        foreach (var key in new[] { "ip:" + ip, "user:" + user.Trim().ToLowerInvariant() })
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
                if (w.Count > PerMinute)
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
