using Microsoft.Extensions.Options;

namespace Newsletter.Sender.Editions;

/// <summary>
/// The deadlines of a graceful stop. The loops stop claiming at once (the worker's stopping token); a message already
/// handed to a slot runs on until <see cref="Sends"/> fires, two thirds into <c>Delivery__ShutdownTimeout</c>; outcome
/// writes keep retrying until <see cref="Records"/> fires, just before the host gives up on the worker.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "The sources live as long as the process: a stop of a test host may come after the container is gone, and must find them.")]
internal sealed class DeliveryShutdown(IOptions<DeliveryOptions> options)
{
    private readonly CancellationTokenSource sends = new();
    private readonly CancellationTokenSource records = new();
    private int begun;

    public CancellationToken Sends => sends.Token;

    public CancellationToken Records => records.Token;

    /// <summary>Starts the clocks; called when the host begins to stop (again when a test host is disposed after a stop).</summary>
    public void Begin()
    {
        // Not disposed: the sources live as long as the process, and a second stop must find them.
        if (Interlocked.Exchange(ref begun, 1) == 1) return;
        var timeout = options.Value.ShutdownTimeout;
        sends.CancelAfter(timeout * 2 / 3);
        records.CancelAfter(timeout - TimeSpan.FromMilliseconds(Math.Min(1000, timeout.TotalMilliseconds / 10)));
    }
}
