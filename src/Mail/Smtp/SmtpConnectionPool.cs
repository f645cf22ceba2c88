using System.Collections.Concurrent;

namespace Newsletter.Mail.Smtp;

/// <summary>
/// Sends messages over at most <see cref="SmtpClientOptions.MaxConnections"/> reused connections to one server.
/// A connection is closed with QUIT after <see cref="SmtpClientOptions.MaxMessagesPerConnection"/> messages or
/// <see cref="SmtpClientOptions.IdleTimeout"/> without use; a broken connection is discarded and the next send opens a new one.
/// With PIPELINING (RFC 2920) the pool also pipelines across transactions: while one message's data goes out, the next
/// waiting sender's MAIL, RCPT and DATA follow the final "." in the same write, and the connection passes straight to
/// that sender (one write and one round trip a message instead of two, for the server too).
/// Thread-safe.
/// </summary>
public sealed class SmtpConnectionPool : IAsyncDisposable
{
    private readonly SmtpClientOptions _options;
    private readonly Action<string>? _log;
    // At most MaxConnections senders hold a connection (or are opening one); the others wait in line, first come first
    // served. A sender either gets a free slot or is handed a connection (and its slot) by the sender before it.
    private readonly object _gate = new();
    private int _free;
    private readonly LinkedList<Waiter> _waiters = new();
    private readonly ConcurrentStack<SmtpClient> _idle = new();
    private readonly Timer _idleTimer;
    private int _disposed;

    /// <summary>Creates the pool; no connection is opened until the first send.</summary>
    /// <param name="options">Server and limits.</param>
    /// <param name="log">Optional protocol log; credentials are never logged.</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public SmtpConnectionPool(SmtpClientOptions options, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _log = log;
        _free = options.MaxConnections;
        var period = options.IdleTimeout / 2;
        if (period < TimeSpan.FromMilliseconds(50)) period = TimeSpan.FromMilliseconds(50);
        if (period > TimeSpan.FromSeconds(5)) period = TimeSpan.FromSeconds(5);
        _idleTimer = new Timer(static s => ((SmtpConnectionPool)s!).CloseIdle(), this, period, period);
    }

    /// <summary>Connections currently open and idle.</summary>
    public int IdleCount => _idle.Count;

    /// <summary>Transactions whose MAIL, RCPT and DATA went out behind the previous message's data on the same connection.</summary>
    public long PipelinedTransactions => Interlocked.Read(ref _pipelined);

    private long _pipelined;

    /// <summary>Sends one message over a pooled connection.</summary>
    /// <returns>The reply to the final "." and which recipients were accepted.</returns>
    /// <exception cref="SmtpCommandException">The server refused MAIL, every RCPT, DATA or the message: transient when 4xx, permanent when 5xx.</exception>
    /// <exception cref="SmtpNotSupportedException">The message needs SMTPUTF8 or is larger than SIZE allows (permanent, this message only).</exception>
    /// <exception cref="SmtpConnectionException">Connecting failed, the connection broke or timed out (transient).</exception>
    /// <exception cref="SmtpTlsException">TLS could not be established.</exception>
    /// <exception cref="SmtpProtocolException">The server sent a malformed reply.</exception>
    /// <exception cref="ArgumentException">The envelope is invalid.</exception>
    /// <exception cref="ObjectDisposedException">The pool was disposed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<SmtpSendResult> SendAsync(SmtpEnvelope envelope, ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        var utf8 = envelope.Validate();
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        return SendCoreAsync(envelope, utf8, message, cancellationToken);
    }

    private async Task<SmtpSendResult> SendCoreAsync(SmtpEnvelope envelope, bool utf8, ReadOnlyMemory<byte> message, CancellationToken ct)
    {
        var handed = await AcquireAsync(envelope, message.Length, utf8, ct).ConfigureAwait(false);
        var slotPassed = false;
        Waiter? claimed = null;
        // Called by the client while it writes this message's data: the next sender in line, if the connection can
        // carry its transaction, is taken out of the line and its commands go out behind our data.
        Func<SmtpClient, SmtpClient.NextTransaction?> takeNext = c =>
        {
            claimed = TryClaimNext(c);
            return claimed is null ? null : new SmtpClient.NextTransaction(claimed.Envelope, claimed.Length, claimed.Utf8);
        };
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                SmtpClient client;
                bool reused, commandsSent = handed is not null;
                if (handed is not null)
                {
                    (client, reused, handed) = (handed, true, null);
                }
                else
                {
                    (client, reused) = await RentAsync(ct).ConfigureAwait(false);
                }
                try
                {
                    var result = await client.SendAsync(envelope, message, commandsSent, takeNext, ct).ConfigureAwait(false);
                    slotPassed = await ReleaseConnectionAsync(client, claimed).ConfigureAwait(false);
                    return result;
                }
                catch (SmtpConnectionException) when (reused && client.StaleCandidate && attempt < _options.MaxConnections + 1)
                {
                    // A reused connection the server closed while idle (nothing was answered): try the next one,
                    // and in the end a fresh connection, whose failure is final. (No next sender can have been claimed
                    // here, since that happens only after DATA was answered; should one be, it goes back to the head
                    // of the line rather than wait for a connection that is gone.)
                    await client.DisposeAsync().ConfigureAwait(false);
                    if (claimed is not null) Requeue(claimed);
                    claimed = null;
                }
                catch (Exception)
                {
                    slotPassed = await ReleaseConnectionAsync(client, claimed).ConfigureAwait(false);
                    throw;
                }
            }
        }
        finally
        {
            if (!slotPassed) ReleaseSlot();
        }
    }

    /// <summary>
    /// Waits for a turn: null with a free slot (rent or open a connection), or a connection handed over by the previous
    /// sender with this transaction's commands already written on it.
    /// </summary>
    private async ValueTask<SmtpClient?> AcquireAsync(SmtpEnvelope envelope, int length, bool utf8, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        Waiter waiter;
        lock (_gate)
        {
            if (_free > 0)
            {
                _free--;
                return null;
            }
            waiter = new Waiter(envelope, length, utf8);
            waiter.Node = _waiters.AddLast(waiter);
        }
        if (!ct.CanBeCanceled) return await waiter.Turn.Task.ConfigureAwait(false);
        // Cancelled while in line: leave the line. Once taken out (a slot, or commands written for it) the turn is
        // served; a cancellation then surfaces in the send itself.
        using var registration = ct.UnsafeRegister(static (state, token) =>
        {
            var (pool, w) = ((SmtpConnectionPool, Waiter))state!;
            lock (pool._gate)
            {
                if (w.Node is null) return;
                pool._waiters.Remove(w.Node);
                w.Node = null;
            }
            ThreadPool.UnsafeQueueUserWorkItem(static s => s.w.Turn.TrySetCanceled(s.token), (w, token), preferLocal: false);
        }, (this, waiter));
        return await waiter.Turn.Task.ConfigureAwait(false);
    }

    private Waiter? TryClaimNext(SmtpClient client)
    {
        lock (_gate)
        {
            if (_waiters.First is not { } node || !client.CanCarryNext(node.Value.Envelope, node.Value.Length, node.Value.Utf8)) return null;
            _waiters.RemoveFirst();
            node.Value.Node = null;
            return node.Value;
        }
    }

    /// <summary>A claimed sender whose connection broke while this sender still needs its slot goes back to the head of the line.</summary>
    private void Requeue(Waiter waiter)
    {
        lock (_gate)
        {
            if (_free <= 0)
            {
                waiter.Node = _waiters.AddFirst(waiter);
                return;
            }
            _free--;
        }
        Hand(waiter, null);
    }

    /// <summary>Gives the slot to the next sender in line, or frees it.</summary>
    private void ReleaseSlot()
    {
        Waiter? next = null;
        lock (_gate)
        {
            if (_waiters.First is { } node)
            {
                _waiters.RemoveFirst();
                node.Value.Node = null;
                next = node.Value;
            }
            else
            {
                _free++;
            }
        }
        if (next is not null) Hand(next, null);
    }

    /// <summary>
    /// After a send: with a claimed next sender the connection (if still usable) and the slot pass to it; otherwise the
    /// connection goes back to the pool. Returns whether the slot passed.
    /// </summary>
    private async ValueTask<bool> ReleaseConnectionAsync(SmtpClient client, Waiter? claimed)
    {
        if (claimed is null)
        {
            await ReturnAsync(client).ConfigureAwait(false);
            return false;
        }
        if (client.IsConnected)
        {
            Interlocked.Increment(ref _pipelined);
            Hand(claimed, client);
        }
        else
        {
            await client.DisposeAsync().ConfigureAwait(false);
            Hand(claimed, null);
        }
        return true;
    }

    /// <summary>
    /// Gives a sender taken out of the line its turn (a slot, or a handed-over connection). Called outside the lock.
    /// With others still in line it runs on at once on this thread: it will find a sender to pipeline behind its data
    /// anyway, and there is no thread-pool hop (half the work items and context switches per message). With nobody
    /// else in line it is queued to this thread's work queue instead, so that the sender finishing here first returns
    /// to its caller, who may come straight back with the next message in time to be pipelined (one connection with
    /// a few senders would otherwise lose its pipelining).
    /// </summary>
    private void Hand(Waiter waiter, SmtpClient? client)
    {
        bool othersWaiting;
        lock (_gate) othersWaiting = _waiters.First is not null;
        if (othersWaiting) waiter.Turn.TrySetResult(client);
        else ThreadPool.UnsafeQueueUserWorkItem(static s => s.waiter.Turn.TrySetResult(s.client), (waiter, client), preferLocal: true);
    }

    private sealed class Waiter(SmtpEnvelope envelope, int length, bool utf8)
    {
        public SmtpEnvelope Envelope { get; } = envelope;
        public int Length { get; } = length;
        public bool Utf8 { get; } = utf8;
        /// <summary>
        /// Completed outside the pool's lock (see <see cref="Hand"/>); its continuation may run at once on the completing
        /// thread (the runtime schedules it instead when the stack runs deep). A cancelled waiter is completed from
        /// the thread pool, not inside the canceller's call.
        /// </summary>
        public TaskCompletionSource<SmtpClient?> Turn { get; } = new();
        /// <summary>Its place in the line; null once taken out (under the pool's lock).</summary>
        public LinkedListNode<Waiter>? Node { get; set; }
    }

    /// <summary>Connects, says EHLO (and STARTTLS/AUTH as configured) and QUITs; used to check that the server is reachable.</summary>
    /// <exception cref="SmtpConnectionException">Unreachable or timed out.</exception>
    /// <exception cref="SmtpCommandException">The server refused the session.</exception>
    /// <exception cref="SmtpTlsException">TLS failed.</exception>
    /// <exception cref="SmtpNotSupportedException">Required STARTTLS/AUTH not possible.</exception>
    /// <exception cref="SmtpProtocolException">Malformed reply.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task ProbeAsync(CancellationToken cancellationToken) => await ProbeAsync(null, cancellationToken).ConfigureAwait(false);

    /// <summary>Connects, offers <paramref name="envelope"/> when given (MAIL, RCPT, RSET: see <see cref="SmtpClient.TryEnvelopeAsync"/>), and quits.</summary>
    public async Task ProbeAsync(SmtpEnvelope? envelope, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var client = new SmtpClient(_options, _log);
        await using (client.ConfigureAwait(false))
        {
            await client.ConnectAsync(cancellationToken).ConfigureAwait(false);
            if (envelope is not null) await client.TryEnvelopeAsync(envelope, cancellationToken).ConfigureAwait(false);
            await client.QuitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask<(SmtpClient Client, bool Reused)> RentAsync(CancellationToken ct)
    {
        while (_idle.TryPop(out var idle))
        {
            if (idle.IsConnected && Environment.TickCount64 - idle.LastUsedTicks < _options.IdleTimeout.TotalMilliseconds)
            {
                return (idle, true);
            }
            await CloseAsync(idle).ConfigureAwait(false);
        }
        var client = new SmtpClient(_options, _log);
        try
        {
            await client.ConnectAsync(ct).ConfigureAwait(false);
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return (client, false);
    }

    private async ValueTask ReturnAsync(SmtpClient client)
    {
        if (!client.IsConnected || _disposed != 0)
        {
            await CloseAsync(client).ConfigureAwait(false);
            return;
        }
        if (client.MessagesSent >= _options.MaxMessagesPerConnection)
        {
            await CloseAsync(client).ConfigureAwait(false);
            return;
        }
        client.LastUsedTicks = Environment.TickCount64;
        _idle.Push(client);
    }

    private static async ValueTask CloseAsync(SmtpClient client)
    {
        try
        {
            if (client.IsConnected)
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await client.QuitAsync(cts.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Best effort.
        }
        finally
        {
            await client.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void CloseIdle()
    {
        if (_disposed != 0 || _idle.IsEmpty) return;
        var keep = new List<SmtpClient>();
        var now = Environment.TickCount64;
        while (_idle.TryPop(out var c))
        {
            if (c.IsConnected && now - c.LastUsedTicks < _options.IdleTimeout.TotalMilliseconds) keep.Add(c);
            else _ = CloseAsync(c).AsTask();
        }
        for (var i = keep.Count - 1; i >= 0; i--) _idle.Push(keep[i]);
    }

    /// <summary>QUITs and closes every idle connection; sends in progress finish and close their connection.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _idleTimer.DisposeAsync().ConfigureAwait(false);
        var closing = new List<Task>();
        while (_idle.TryPop(out var c)) closing.Add(CloseAsync(c).AsTask());
        await Task.WhenAll(closing).ConfigureAwait(false);
    }
}
