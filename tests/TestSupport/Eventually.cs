namespace Newsletter.TestSupport;

/// <summary>Waits for a condition with a deadline instead of sleeping for a fixed time.</summary>
public static class Eventually
{
    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="timeout"/> passes; returns whether it held.</summary>
    public static async Task<bool> TrueAsync(Func<Task<bool>> condition, TimeSpan timeout, TimeSpan? interval = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await condition()) return true;
            if (DateTime.UtcNow >= deadline) return false;
            await Task.Delay(interval ?? TimeSpan.FromMilliseconds(50));
        }
    }

    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="timeout"/> passes; returns whether it held.</summary>
    public static Task<bool> TrueAsync(Func<bool> condition, TimeSpan timeout, TimeSpan? interval = null)
        => TrueAsync(() => Task.FromResult(condition()), timeout, interval);
}
