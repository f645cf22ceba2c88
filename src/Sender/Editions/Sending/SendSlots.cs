namespace Newsletter.Sender.Editions;

/// <summary>
/// The messages in hand at once, shared by every loop: four per connection, so while a connection carries one message
/// the next ones are composed and signed and their commands go out right behind it, and the composers keep the cores
/// busy when the server falls behind for a moment.
/// </summary>
internal sealed class SendSlots(IMailTransport transport) : IDisposable
{
    private readonly SemaphoreSlim slots = new(4 * transport.Concurrency, 4 * transport.Concurrency);

    public int Count => 4 * transport.Concurrency;

    /// <summary>
    /// Runs <paramref name="send"/> for every row, at most as many at once as there are slots, until
    /// <paramref name="stopStarting"/> fires: then no further row starts, and those started run to their end (they get
    /// <paramref name="sendToken"/>). Returns how many rows were started, in order; the rest are the caller's to release.
    /// </summary>
    public async Task<int> ForEachAsync<T>(IReadOnlyList<T> rows, Func<T, CancellationToken, Task> send, CancellationToken stopStarting,
        CancellationToken sendToken)
    {
        var tasks = new Task[rows.Count];
        var started = 0;
        try
        {
            for (; started < rows.Count; started++)
            {
                await slots.WaitAsync(stopStarting);
                tasks[started] = Run(rows[started]);
            }
        }
        catch (OperationCanceledException) when (stopStarting.IsCancellationRequested)
        {
        }
        await Task.WhenAll(tasks.AsSpan(0, started).ToArray());
        return started;

        async Task Run(T row)
        {
            try { await send(row, sendToken); }
            finally { slots.Release(); }
        }
    }

    public void Dispose() => slots.Dispose();
}
