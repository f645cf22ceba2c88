namespace Newsletter.Sender.Editions;

/// <summary>Wakes the delivery worker of this process at once when work was just written (a signup, a send-now).</summary>
public sealed class DeliverySignal : IDisposable
{
    private readonly SemaphoreSlim signal = new(0, 1);

    public void Poke()
    {
        try { signal.Release(); }
        catch (SemaphoreFullException) { } // already poked
    }

    public Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => signal.WaitAsync(timeout, cancellationToken);

    public void Dispose() => signal.Dispose();
}
