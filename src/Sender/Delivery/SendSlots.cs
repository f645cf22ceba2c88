namespace Newsletter.Sender.Delivery;

/// <summary>
/// The messages in hand at once, shared by every loop: four per connection, so while a connection carries one message
/// the next ones are composed and signed and their commands go out right behind it, and the composers keep the cores
/// busy when the server falls behind for a moment.
/// </summary>
internal sealed class SendSlots(IMailTransport transport)
{
    private readonly SemaphoreSlim slots = new(4 * transport.Concurrency, 4 * transport.Concurrency);

    public int Count => 4 * transport.Concurrency;

    /// <summary>Runs <paramref name="send"/> for every row, at most as many at once as there are slots.</summary>
    public async Task ForEachAsync<T>(IReadOnlyList<T> rows, Func<T, CancellationToken, Task> send, CancellationToken ct)
    {
        var tasks = new Task[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            await slots.WaitAsync(ct);
            var row = rows[i];
            tasks[i] = Run(row);
        }
        await Task.WhenAll(tasks);

        async Task Run(T row)
        {
            try { await send(row, ct); }
            finally { slots.Release(); }
        }
    }
}
