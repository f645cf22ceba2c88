using System.Collections.Concurrent;

namespace Newsletter.Mail.Smtp;

/// <summary>
/// Sends messages over at most <see cref="SmtpClientOptions.MaxConnections"/> reused connections to one server.
/// A connection is closed with QUIT after <see cref="SmtpClientOptions.MaxMessagesPerConnection"/> messages or
/// <see cref="SmtpClientOptions.IdleTimeout"/> without use; a broken connection is discarded and the next send opens a new one.
/// Thread-safe.
/// </summary>
public sealed class SmtpConnectionPool : IAsyncDisposable
{
    private readonly SmtpClientOptions _options;
    private readonly Action<string>? _log;
    private readonly SemaphoreSlim _slots;
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
        _slots = new SemaphoreSlim(options.MaxConnections, options.MaxConnections);
        var period = options.IdleTimeout / 2;
        if (period < TimeSpan.FromMilliseconds(50)) period = TimeSpan.FromMilliseconds(50);
        if (period > TimeSpan.FromSeconds(5)) period = TimeSpan.FromSeconds(5);
        _idleTimer = new Timer(static s => ((SmtpConnectionPool)s!).CloseIdle(), this, period, period);
    }

    /// <summary>Connections currently open and idle.</summary>
    public int IdleCount => _idle.Count;

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
        envelope.Validate();
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        return SendCoreAsync(envelope, message, cancellationToken);
    }

    private async Task<SmtpSendResult> SendCoreAsync(SmtpEnvelope envelope, ReadOnlyMemory<byte> message, CancellationToken ct)
    {
        await _slots.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                var (client, reused) = await RentAsync(ct).ConfigureAwait(false);
                try
                {
                    var result = await client.SendAsync(envelope, message, ct).ConfigureAwait(false);
                    await ReturnAsync(client).ConfigureAwait(false);
                    return result;
                }
                catch (SmtpConnectionException) when (reused && client.StaleCandidate && attempt < _options.MaxConnections + 1)
                {
                    // A reused connection the server closed while idle (nothing was answered): try the next one,
                    // and in the end a fresh connection, whose failure is final.
                    await client.DisposeAsync().ConfigureAwait(false);
                }
                catch (Exception)
                {
                    await ReturnAsync(client).ConfigureAwait(false);
                    throw;
                }
            }
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <summary>Connects, says EHLO (and STARTTLS/AUTH as configured) and QUITs; used to check that the server is reachable.</summary>
    /// <exception cref="SmtpConnectionException">Unreachable or timed out.</exception>
    /// <exception cref="SmtpCommandException">The server refused the session.</exception>
    /// <exception cref="SmtpTlsException">TLS failed.</exception>
    /// <exception cref="SmtpNotSupportedException">Required STARTTLS/AUTH not possible.</exception>
    /// <exception cref="SmtpProtocolException">Malformed reply.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task ProbeAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var client = new SmtpClient(_options, _log);
        await using (client.ConfigureAwait(false))
        {
            await client.ConnectAsync(cancellationToken).ConfigureAwait(false);
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

    private async ValueTask CloseAsync(SmtpClient client)
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
