using System.Buffers;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Authentication;
using System.Text;
using TextEncoding = System.Text.Encoding;

namespace Newsletter.Mail.Smtp;

/// <summary>
/// One SMTP connection (RFC 5321). Not thread-safe: one operation at a time. Use <see cref="SmtpConnectionPool"/> to send concurrently.
/// After a refused command (<see cref="SmtpCommandException"/>) the transaction is reset (RSET; after a refused "." only
/// when the pool has not pipelined the next transaction behind it) and the connection stays usable;
/// after <see cref="SmtpConnectionException"/>, <see cref="SmtpProtocolException"/>, a cancellation or a 421 reply it is closed.
/// </summary>
public sealed class SmtpClient : IAsyncDisposable
{
    private static readonly byte[] Crlf = "\r\n"u8.ToArray();
    private static readonly byte[] EndOfData = ".\r\n"u8.ToArray();
    private static readonly byte[] CrlfEndOfData = "\r\n.\r\n"u8.ToArray();
    private static readonly byte[] Dot = "."u8.ToArray();
    private static readonly byte[] CrlfDot = "\r\n."u8.ToArray();
    private readonly SmtpClientOptions _options;
    private readonly Action<string>? _log;
    private Socket? _socket;
    private Stream? _stream;
    private byte[] _in = new byte[8192];
    private int _inStart;
    private int _inEnd;
    private byte[] _out = new byte[4096];
    private int _outLen;
    private CancellationTokenSource _timer = new();
    private bool _broken;
    private readonly ArraySegment<byte>[] _gather = new ArraySegment<byte>[2];
    private bool _disposed;

    /// <summary>Creates a client; nothing happens until <see cref="ConnectAsync"/>.</summary>
    /// <param name="options">Server and behaviour.</param>
    /// <param name="log">Optional protocol log (commands and replies; credentials are never logged).</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public SmtpClient(SmtpClientOptions options, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _log = log;
    }

    /// <summary>Test hook: runs the protocol over an already-open stream (the greeting has not been read yet).</summary>
    internal SmtpClient(SmtpClientOptions options, Stream stream, Action<string>? log = null) : this(options, log) => _stream = stream;

    /// <summary>What the server announced after the last EHLO.</summary>
    public SmtpCapabilities Capabilities { get; private set; } = SmtpCapabilities.None;

    /// <summary>True while connected and usable.</summary>
    public bool IsConnected => _stream is not null && !_broken && !_disposed;

    /// <summary>True when the connection is protected by TLS.</summary>
    public bool IsEncrypted { get; private set; }

    /// <summary>Number of messages the server accepted on this connection.</summary>
    public int MessagesSent { get; private set; }

    internal long LastUsedTicks { get; set; } = Environment.TickCount64;

    /// <summary>True when the current transaction failed before the server answered anything (a connection closed while idle).</summary>
    internal bool StaleCandidate => _repliesInTransaction == 0;

    private int _repliesInTransaction;

    /// <summary>Connects, reads the greeting, says EHLO (HELO if refused), negotiates TLS and authenticates as configured.</summary>
    /// <exception cref="SmtpConnectionException">Connecting failed or timed out.</exception>
    /// <exception cref="SmtpCommandException">The server refused the session (greeting, EHLO, STARTTLS or AUTH).</exception>
    /// <exception cref="SmtpTlsException">The TLS handshake failed (for example an invalid certificate).</exception>
    /// <exception cref="SmtpNotSupportedException">STARTTLS is required but not offered, or AUTH cannot be done safely.</exception>
    /// <exception cref="SmtpProtocolException">The server sent a malformed reply.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task ConnectAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_socket is not null || (_stream is not null && Capabilities != SmtpCapabilities.None)) throw new InvalidOperationException("Already connected.");
        return ConnectCoreAsync(cancellationToken);
    }

    private async Task ConnectCoreAsync(CancellationToken ct)
    {
        try
        {
            if (_stream is null)
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                _socket = socket;
                var token = Arm(_options.ConnectTimeout, ct);
                try
                {
                    await socket.ConnectAsync(_options.Host, _options.Port, token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is SocketException or OperationCanceledException)
                {
                    throw Fail(e, $"connecting to {_options.Host}:{_options.Port}", _options.ConnectTimeout, ct);
                }
                finally
                {
                    Disarm();
                }
                _stream = new NetworkStream(socket, ownsSocket: true);
                if (_options.Security == SmtpSecurity.SslOnConnect) await StartTlsAsync(ct).ConfigureAwait(false);
            }
            var greeting = await ReadReplyAsync("CONNECT", _options.CommandTimeout, ct).ConfigureAwait(false);
            if (greeting.Code != 220) throw Refused(greeting, "CONNECT", null);
            await HelloAsync(ct).ConfigureAwait(false);
            var wantTls = _options.Security is SmtpSecurity.StartTls or SmtpSecurity.StartTlsWhenAvailable;
            if (!IsEncrypted && wantTls)
            {
                if (Capabilities.Supports(SmtpExtensions.StartTls))
                {
                    // RFC 3207 §4: STARTTLS, then TLS, then EHLO again; prior knowledge is discarded (§4.2).
                    var reply = await CommandAsync("STARTTLS", "STARTTLS", _options.CommandTimeout, ct).ConfigureAwait(false);
                    if (reply.Code != 220) throw Refused(reply, "STARTTLS", null);
                    if (_inEnd > _inStart) throw Break(new SmtpProtocolException("The server sent data after its STARTTLS reply (possible command injection); connection closed."));
                    await StartTlsAsync(ct).ConfigureAwait(false);
                    await HelloAsync(ct).ConfigureAwait(false);
                }
                else if (_options.Security == SmtpSecurity.StartTls)
                {
                    throw Break(new SmtpNotSupportedException($"{_options.Host} does not offer STARTTLS, which the options require."));
                }
            }
            if (_options.Username is not null) await AuthenticateAsync(ct).ConfigureAwait(false);
            LastUsedTicks = Environment.TickCount64;
        }
        catch
        {
            _broken = true;
            throw;
        }
    }

    private async Task HelloAsync(CancellationToken ct)
    {
        var ehlo = await CommandAsync("EHLO " + _options.LocalDomain, "EHLO", _options.CommandTimeout, ct).ConfigureAwait(false);
        if (ehlo.Code == 250)
        {
            Capabilities = SmtpCapabilities.Parse(ehlo);
            return;
        }
        if (ehlo.Code == 421) throw Refused(ehlo, "EHLO", null);
        // RFC 5321 §3.2: a server that does not know EHLO answers 5xx; fall back to HELO.
        var helo = await CommandAsync("HELO " + _options.LocalDomain, "HELO", _options.CommandTimeout, ct).ConfigureAwait(false);
        if (helo.Code != 250) throw Refused(helo, "HELO", null);
        Capabilities = SmtpCapabilities.None;
    }

    private async Task StartTlsAsync(CancellationToken ct)
    {
#pragma warning disable CA5359 // accepting any certificate is an explicit, documented test-only option
        var callback = _options.ServerCertificateValidationCallback ?? (_options.AcceptInvalidCertificates ? static (_, _, _, _) => true : null);
#pragma warning restore CA5359
        var ssl = new SslStream(_stream!, leaveInnerStreamOpen: false);
        var token = Arm(_options.ConnectTimeout, ct);
        try
        {
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = _options.Host,
                RemoteCertificateValidationCallback = callback,
            }, token).ConfigureAwait(false);
        }
        catch (AuthenticationException e)
        {
            throw Break(new SmtpTlsException($"TLS handshake with {_options.Host}:{_options.Port} failed: {e.Message}", e));
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException)
        {
            throw Fail(e, "the TLS handshake", _options.ConnectTimeout, ct);
        }
        finally
        {
            Disarm();
        }
        _stream = ssl;
        IsEncrypted = true;
    }

    private async Task AuthenticateAsync(CancellationToken ct)
    {
        // RFC 4954 §4: never send credentials in clear unless explicitly allowed.
        if (!IsEncrypted && !_options.AllowAuthWithoutTls)
        {
            throw Break(new SmtpNotSupportedException("Refusing to send credentials over an unencrypted connection (set AllowAuthWithoutTls to override)."));
        }
        var mechs = Capabilities.AuthMechanisms;
        if (mechs.Contains("PLAIN"))
        {
            // RFC 4616: authzid NUL authcid NUL passwd.
            var token = Convert.ToBase64String(TextEncoding.UTF8.GetBytes("\0" + _options.Username + "\0" + _options.Password));
            var reply = await CommandAsync("AUTH PLAIN " + token, "AUTH", _options.CommandTimeout, ct, "AUTH PLAIN ****").ConfigureAwait(false);
            if (reply.Code != 235) throw Refused(reply, "AUTH", null);
        }
        else if (mechs.Contains("LOGIN"))
        {
            var reply = await CommandAsync("AUTH LOGIN", "AUTH", _options.CommandTimeout, ct).ConfigureAwait(false);
            if (reply.Code != 334) throw Refused(reply, "AUTH", null);
            reply = await CommandAsync(Convert.ToBase64String(TextEncoding.UTF8.GetBytes(_options.Username!)), "AUTH", _options.CommandTimeout, ct, "****").ConfigureAwait(false);
            if (reply.Code != 334) throw Refused(reply, "AUTH", null);
            reply = await CommandAsync(Convert.ToBase64String(TextEncoding.UTF8.GetBytes(_options.Password!)), "AUTH", _options.CommandTimeout, ct, "****").ConfigureAwait(false);
            if (reply.Code != 235) throw Refused(reply, "AUTH", null);
        }
        else
        {
            throw Break(new SmtpNotSupportedException($"{_options.Host} offers no AUTH mechanism this client knows (PLAIN, LOGIN); offered: {string.Join(' ', mechs)}."));
        }
    }

    /// <summary>Sends one message in one mail transaction (RFC 5321 §3.3), pipelined when the server allows (RFC 2920).</summary>
    /// <param name="envelope">Reverse-path and recipients.</param>
    /// <param name="message">The complete message with CRLF line endings; dot-stuffed on the fly (RFC 5321 §4.5.2).</param>
    /// <param name="cancellationToken">Cancels the operation; the connection is then closed.</param>
    /// <returns>The reply to the final "." and which recipients were accepted.</returns>
    /// <exception cref="SmtpCommandException">MAIL, every RCPT, DATA or the end of data was refused; the transaction was reset.</exception>
    /// <exception cref="SmtpNotSupportedException">The message needs SMTPUTF8 or exceeds SIZE and the server cannot take it (permanent, for this message only).</exception>
    /// <exception cref="SmtpConnectionException">The connection broke or timed out (transient).</exception>
    /// <exception cref="SmtpProtocolException">Malformed reply.</exception>
    /// <exception cref="ArgumentException">The envelope is invalid.</exception>
    /// <exception cref="InvalidOperationException">Not connected.</exception>
    public Task<SmtpSendResult> SendAsync(SmtpEnvelope envelope, ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
        => SendAsync(envelope, message, commandsSent: false, takeNext: null, cancellationToken);

    /// <summary>
    /// As <see cref="SendAsync(SmtpEnvelope, ReadOnlyMemory{byte}, CancellationToken)"/>, for the pool's pipelining across
    /// transactions (RFC 2920 §3.1: the message content may be the first "command" of a group): when
    /// <paramref name="takeNext"/> gives the next transaction while this message's data is written, its MAIL, RCPT and
    /// DATA go in the same write after the final "."; the next sender then calls this with
    /// <paramref name="commandsSent"/> true and starts by reading their replies.
    /// </summary>
    internal Task<SmtpSendResult> SendAsync(SmtpEnvelope envelope, ReadOnlyMemory<byte> message, bool commandsSent,
        Func<SmtpClient, NextTransaction?>? takeNext, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        var utf8 = envelope.Validate();
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!IsConnected) throw new InvalidOperationException("The client is not connected.");
        if (utf8 && !Capabilities.Supports(SmtpExtensions.SmtpUtf8))
        {
            throw new SmtpNotSupportedException($"The envelope has a non-ASCII address but {_options.Host} does not support SMTPUTF8 (RFC 6531); the message cannot be sent there.");
        }
        if (Capabilities.MaxSize is { } max && message.Length > max)
        {
            throw new SmtpNotSupportedException($"The message is {message.Length} octets; {_options.Host} accepts at most {max} (SIZE, RFC 1870).");
        }
        return SendCoreAsync(envelope, message, utf8, commandsSent, takeNext, cancellationToken);
    }

    /// <summary>PIPELINING (RFC 2920) is used on this connection: the server offers it and the options allow it.</summary>
    private bool Pipelining => _options.UsePipelining && Capabilities.Supports(SmtpExtensions.Pipelining);

    /// <summary>Whether a transaction can be pipelined behind the current one on this connection.</summary>
    internal bool CanCarryNext(SmtpEnvelope envelope, int length, bool utf8)
        => IsConnected && Pipelining
           && (!utf8 || Capabilities.Supports(SmtpExtensions.SmtpUtf8))
           && (Capabilities.MaxSize is not { } max || length <= max)
           && MessagesSent + 2 <= _options.MaxMessagesPerConnection;

    /// <summary>The next transaction whose commands go out behind this message's data.</summary>
    internal readonly record struct NextTransaction(SmtpEnvelope Envelope, int Length, bool Utf8);

    /// <summary>MAIL FROM with SIZE (RFC 1870), SMTPUTF8 (RFC 6531 §3.4) and BODY=8BITMIME (RFC 6152).</summary>
    private void AppendMail(SmtpEnvelope envelope, int length, bool utf8)
    {
        AppendAscii("MAIL FROM:<");
        AppendUtf8(envelope.MailFrom);
        AppendAscii(">");
        if (Capabilities.Supports(SmtpExtensions.Size))
        {
            AppendAscii(" SIZE=");
            AppendAscii(length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        if (utf8)
        {
            AppendAscii(" SMTPUTF8");
            if (Capabilities.Supports(SmtpExtensions.EightBitMime)) AppendAscii(" BODY=8BITMIME");
        }
        Append(Crlf);
        Log("MAIL FROM:<" + envelope.MailFrom + ">");
    }

    /// <summary>RFC 2920 §3.1: MAIL, RCPT and DATA in one group; DATA is the last command of the group.</summary>
    private void AppendPipelinedGroup(SmtpEnvelope envelope, int length, bool utf8)
    {
        AppendMail(envelope, length, utf8);
        foreach (var r in envelope.Recipients) AppendRcpt(r);
        AppendAscii("DATA\r\n");
        Log("DATA");
    }

    private async Task<SmtpSendResult> SendCoreAsync(SmtpEnvelope envelope, ReadOnlyMemory<byte> message, bool utf8, bool commandsSent,
        Func<SmtpClient, NextTransaction?>? takeNext, CancellationToken ct)
    {
        var pipelining = Pipelining;
        if (commandsSent && !pipelining) throw new InvalidOperationException("Commands can only have been sent ahead on a pipelining connection.");
        _repliesInTransaction = 0;
        var timeout = _options.CommandTimeout;
        SmtpReply mail;
        var rcptReplies = new SmtpReply[envelope.Recipients.Count];
        SmtpReply? data = null;
        if (pipelining)
        {
            // The group went out behind the previous message's data, or goes now.
            if (!commandsSent)
            {
                AppendPipelinedGroup(envelope, message.Length, utf8);
                await FlushAsync(timeout, ct).ConfigureAwait(false);
            }
            mail = await ReadReplyAsync("MAIL", timeout, ct).ConfigureAwait(false);
            CheckClosing(mail, "MAIL", envelope.MailFrom);
            for (var i = 0; i < rcptReplies.Length; i++)
            {
                rcptReplies[i] = await ReadReplyAsync("RCPT", timeout, ct).ConfigureAwait(false);
                CheckClosing(rcptReplies[i], "RCPT", envelope.Recipients[i]);
            }
            data = await ReadReplyAsync("DATA", timeout, ct).ConfigureAwait(false);
        }
        else
        {
            AppendMail(envelope, message.Length, utf8);
            await FlushAsync(timeout, ct).ConfigureAwait(false);
            mail = await ReadReplyAsync("MAIL", timeout, ct).ConfigureAwait(false);
            if (mail.IsPositive)
            {
                for (var i = 0; i < rcptReplies.Length; i++)
                {
                    AppendRcpt(envelope.Recipients[i]);
                    await FlushAsync(timeout, ct).ConfigureAwait(false);
                    rcptReplies[i] = await ReadReplyAsync("RCPT", timeout, ct).ConfigureAwait(false);
                    if (rcptReplies[i].Code == 421) break;
                }
            }
        }
        CheckClosing(mail, "MAIL", envelope.MailFrom);
        if (!mail.IsPositive)
        {
            await AfterFailureAsync(data, ct).ConfigureAwait(false);
            throw Refused(mail, "MAIL", envelope.MailFrom);
        }
        var accepted = new List<string>(rcptReplies.Length);
        List<SmtpRecipientFailure>? rejected = null;
        SmtpReply? firstRejection = null;
        string? firstRejected = null;
        for (var i = 0; i < rcptReplies.Length; i++)
        {
            var reply = rcptReplies[i];
            if (reply is null) break;
            CheckClosing(reply, "RCPT", envelope.Recipients[i]);
            if (reply.IsPositive)
            {
                accepted.Add(envelope.Recipients[i]);
            }
            else
            {
                (rejected ??= []).Add(new SmtpRecipientFailure(envelope.Recipients[i], reply));
                if (firstRejection is null) { firstRejection = reply; firstRejected = envelope.Recipients[i]; }
            }
        }
        if (accepted.Count == 0)
        {
            await AfterFailureAsync(data, ct).ConfigureAwait(false);
            throw Refused(firstRejection!, "RCPT", firstRejected);
        }
        if (!pipelining)
        {
            AppendAscii("DATA\r\n");
            Log("DATA");
            await FlushAsync(timeout, ct).ConfigureAwait(false);
            data = await ReadReplyAsync("DATA", timeout, ct).ConfigureAwait(false);
        }
        CheckClosing(data!, "DATA", null);
        if (data!.Code != 354)
        {
            await ResetAsyncCore(ct).ConfigureAwait(false);
            throw Refused(data, "DATA", null);
        }
        var nextSent = await WriteDataAsync(message, pipelining ? takeNext : null, ct).ConfigureAwait(false);
        var final = await ReadReplyAsync(".", _options.DataTerminationTimeout, ct).ConfigureAwait(false);
        CheckClosing(final, ".", null);
        if (!final.IsPositive)
        {
            // The reply to "." ends the transaction either way; RSET only when no next transaction is under way
            // (it would end up inside that message's data).
            if (!nextSent) await ResetAsyncCore(ct).ConfigureAwait(false);
            throw Refused(final, ".", null);
        }
        MessagesSent++;
        LastUsedTicks = Environment.TickCount64;
        return new SmtpSendResult(final, accepted, rejected ?? (IReadOnlyList<SmtpRecipientFailure>)[]);
    }

    private void AppendRcpt(string recipient)
    {
        AppendAscii("RCPT TO:<");
        AppendUtf8(recipient);
        AppendAscii(">\r\n");
        Log("RCPT TO:<" + recipient + ">");
    }

    private async Task AfterFailureAsync(SmtpReply? data, CancellationToken ct)
    {
        if (data is not null && data.Code == 354)
        {
            // RFC 2920 §3.1: DATA was accepted although no recipient was; end the empty message.
            Append(EndOfData);
            await FlushAsync(_options.DataBlockTimeout, ct).ConfigureAwait(false);
            await ReadReplyAsync(".", _options.DataTerminationTimeout, ct).ConfigureAwait(false);
        }
        await ResetAsyncCore(ct).ConfigureAwait(false);
    }

    /// <summary>
    /// RFC 5321 §4.5.2 dot-stuffing, written straight from the caller's buffer, then CRLF "." CRLF. Bare CR and bare LF
    /// are sent as CRLF (RFC 5321 §2.3.8), so no server can see a different end of data than ours (SMTP smuggling).
    /// </summary>
    /// <returns>Whether the next transaction's commands (from <paramref name="takeNext"/>) went out behind the data.</returns>
    private async Task<bool> WriteDataAsync(ReadOnlyMemory<byte> message, Func<SmtpClient, NextTransaction?>? takeNext, CancellationToken ct)
    {
        var token = Arm(_options.DataBlockTimeout, ct);
        try
        {
            var stream = _stream!;
            var span = message.Span;
            var chunkStart = 0;
            var pos = 0;
            if (span.Length > 0 && span[0] == (byte)'.')
            {
                await stream.WriteAsync(Dot, token).ConfigureAwait(false);
            }
            while (true)
            {
                span = message.Span;
                var rel = span[pos..].IndexOfAny((byte)'\r', (byte)'\n');
                if (rel < 0) break;
                var i = pos + rel;
                if (span[i] == (byte)'\r' && i + 1 < span.Length && span[i + 1] == (byte)'\n')
                {
                    pos = i + 2;
                    if (pos < span.Length && span[pos] == (byte)'.')
                    {
                        await stream.WriteAsync(message[chunkStart..pos], token).ConfigureAwait(false);
                        await stream.WriteAsync(Dot, token).ConfigureAwait(false);
                        chunkStart = pos;
                    }
                    continue;
                }
                // Bare CR or LF: replace by CRLF.
                await stream.WriteAsync(message[chunkStart..i], token).ConfigureAwait(false);
                pos = i + 1;
                chunkStart = pos;
                var stuff = pos < message.Length && message.Span[pos] == (byte)'.';
                await stream.WriteAsync(stuff ? CrlfDot : Crlf, token).ConfigureAwait(false);
            }
            var last = message.Length == 0 ? (byte)'\n' : message.Span[^1];
            var rest = message[chunkStart..];
            // The tail: a short rest of the message, the terminator and (pipelining across transactions) the next
            // transaction's MAIL, RCPT and DATA, all in the command buffer.
            var small = rest.Length <= 1024;
            if (small) Append(rest.Span);
            Append(last is (byte)'\r' or (byte)'\n' ? EndOfData : CrlfEndOfData);
            var next = takeNext?.Invoke(this);
            if (next is { } n) AppendPipelinedGroup(n.Envelope, n.Length, n.Utf8);
            if (small)
            {
                await stream.WriteAsync(_out.AsMemory(0, _outLen), token).ConfigureAwait(false);
            }
            else if (_socket is not null && !IsEncrypted && MemoryMarshal.TryGetArray(rest, out var segment))
            {
                // Plain TCP: message and tail in one gathered send (one system call, one segment train).
                _gather[0] = segment;
                _gather[1] = new ArraySegment<byte>(_out, 0, _outLen);
                using (token.UnsafeRegister(static s => ((Socket)s!).Dispose(), _socket))
                {
                    var sent = await _socket.SendAsync(_gather, SocketFlags.None).ConfigureAwait(false);
                    token.ThrowIfCancellationRequested();
                    var total = segment.Count + _outLen;
                    if (sent < total)
                    {
                        // Partial send: write what is left through the stream.
                        var combined = new byte[total - sent];
                        var fromMessage = Math.Max(0, segment.Count - sent);
                        segment.AsSpan(segment.Count - fromMessage).CopyTo(combined);
                        _out.AsSpan(_outLen - (combined.Length - fromMessage), combined.Length - fromMessage).CopyTo(combined.AsSpan(fromMessage));
                        await stream.WriteAsync(combined, token).ConfigureAwait(false);
                    }
                }
                _gather[0] = default;
                _gather[1] = default;
            }
            else
            {
                await stream.WriteAsync(rest, token).ConfigureAwait(false);
                await stream.WriteAsync(_out.AsMemory(0, _outLen), token).ConfigureAwait(false);
            }
            _outLen = 0;
            await stream.FlushAsync(token).ConfigureAwait(false);
            return next is not null;
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            _outLen = 0;
            throw Fail(e, "sending the message data", _options.DataBlockTimeout, ct);
        }
        finally
        {
            Disarm();
        }
    }

    /// <summary>Sends NOOP (RFC 5321 §4.1.1.9) to check the connection.</summary>
    /// <exception cref="SmtpCommandException">Refused.</exception>
    /// <exception cref="SmtpConnectionException">Broken or timed out.</exception>
    /// <exception cref="SmtpProtocolException">Malformed reply.</exception>
    public Task NoopAsync(CancellationToken cancellationToken)
    {
        EnsureConnected();
        return SimpleAsync("NOOP", cancellationToken);
    }

    /// <summary>
    /// Offers <paramref name="envelope"/> (MAIL FROM, RCPT TO) and aborts with RSET: whether the server would take a
    /// message for it now, without sending one. A server that answers EHLO but refuses every message fails this.
    /// </summary>
    /// <exception cref="SmtpCommandException">MAIL or RCPT refused.</exception>
    /// <exception cref="SmtpConnectionException">Broken or timed out.</exception>
    public async Task TryEnvelopeAsync(SmtpEnvelope envelope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        EnsureConnected();
        var utf8 = envelope.Validate();
        if (utf8 && !Capabilities.Supports(SmtpExtensions.SmtpUtf8)) throw new SmtpNotSupportedException("The server does not support SMTPUTF8.");
        AppendMail(envelope, 0, utf8);
        await FlushAsync(_options.CommandTimeout, cancellationToken).ConfigureAwait(false);
        var mail = await ReadReplyAsync("MAIL", _options.CommandTimeout, cancellationToken).ConfigureAwait(false);
        CheckClosing(mail, "MAIL", envelope.MailFrom);
        if (!mail.IsPositive) throw Refused(mail, "MAIL", envelope.MailFrom);
        foreach (var r in envelope.Recipients)
        {
            AppendRcpt(r);
            await FlushAsync(_options.CommandTimeout, cancellationToken).ConfigureAwait(false);
            var rcpt = await ReadReplyAsync("RCPT", _options.CommandTimeout, cancellationToken).ConfigureAwait(false);
            CheckClosing(rcpt, "RCPT", r);
            if (!rcpt.IsPositive) throw Refused(rcpt, "RCPT", r);
        }
        await SimpleAsync("RSET", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends RSET (RFC 5321 §4.1.1.5), aborting any transaction.</summary>
    /// <exception cref="SmtpCommandException">Refused.</exception>
    /// <exception cref="SmtpConnectionException">Broken or timed out.</exception>
    /// <exception cref="SmtpProtocolException">Malformed reply.</exception>
    public Task ResetAsync(CancellationToken cancellationToken)
    {
        EnsureConnected();
        return SimpleAsync("RSET", cancellationToken);
    }

    private async Task SimpleAsync(string command, CancellationToken ct)
    {
        var reply = await CommandAsync(command, command, _options.CommandTimeout, ct).ConfigureAwait(false);
        CheckClosing(reply, command, null);
        if (!reply.IsPositive) throw Refused(reply, command, null);
    }

    private async Task ResetAsyncCore(CancellationToken ct)
    {
        var reply = await CommandAsync("RSET", "RSET", _options.CommandTimeout, ct).ConfigureAwait(false);
        if (!reply.IsPositive) _broken = true; // cannot trust the session any more
    }

    /// <summary>Sends QUIT (RFC 5321 §4.1.1.10) and closes the connection. Never throws for a broken connection.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task QuitAsync(CancellationToken cancellationToken)
    {
        if (IsConnected)
        {
            try
            {
                await CommandAsync("QUIT", "QUIT", _options.CommandTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (MailException)
            {
                // Closing anyway.
            }
        }
        Close();
    }

    private void EnsureConnected()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!IsConnected) throw new InvalidOperationException("The client is not connected.");
    }

    private async Task<SmtpReply> CommandAsync(string command, string verb, TimeSpan timeout, CancellationToken ct, string? logAs = null)
    {
        AppendUtf8(command);
        Append(Crlf);
        Log(logAs ?? command);
        await FlushAsync(timeout, ct).ConfigureAwait(false);
        return await ReadReplyAsync(verb, timeout, ct).ConfigureAwait(false);
    }

    private async Task FlushAsync(TimeSpan timeout, CancellationToken ct)
    {
        if (_outLen == 0) return;
        var token = Arm(timeout, ct);
        try
        {
            await _stream!.WriteAsync(_out.AsMemory(0, _outLen), token).ConfigureAwait(false);
            await _stream.FlushAsync(token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            throw Fail(e, "sending a command", timeout, ct);
        }
        finally
        {
            _outLen = 0;
            Disarm();
        }
    }

    internal async ValueTask<SmtpReply> ReadReplyAsync(string command, TimeSpan timeout, CancellationToken ct)
    {
        while (true)
        {
            bool complete;
            SmtpReply? reply;
            int consumed;
            try
            {
                complete = SmtpReplyParser.TryParse(_in.AsSpan(_inStart, _inEnd - _inStart), out reply, out consumed);
            }
            catch (SmtpProtocolException e)
            {
                throw Break(e);
            }
            if (complete)
            {
                _inStart += consumed;
                _repliesInTransaction++;
                if (_inStart == _inEnd) _inStart = _inEnd = 0;
                if (_log is not null) _log("S: " + reply);
                return reply!;
            }
            if (_inStart > 0)
            {
                Buffer.BlockCopy(_in, _inStart, _in, 0, _inEnd - _inStart);
                _inEnd -= _inStart;
                _inStart = 0;
            }
            if (_inEnd == _in.Length) Array.Resize(ref _in, _in.Length * 2);
            var token = Arm(timeout, ct);
            int n;
            try
            {
                n = await _stream!.ReadAsync(_in.AsMemory(_inEnd), token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                throw Fail(e, "waiting for the reply to " + command, timeout, ct);
            }
            finally
            {
                Disarm();
            }
            if (n == 0)
            {
                throw Break(new SmtpConnectionException($"{_options.Host}:{_options.Port} closed the connection while the client waited for the reply to {command}."));
            }
            _inEnd += n;
        }
    }

    private CancellationTokenRegistration _registration;

    private CancellationToken Arm(TimeSpan timeout, CancellationToken ct)
    {
        if (ct.IsCancellationRequested)
        {
            // Cancelled mid-operation: the session state is unknown, so the connection is given up.
            _outLen = 0;
            Close();
            ct.ThrowIfCancellationRequested();
        }
        if (!_timer.TryReset())
        {
            _timer.Dispose();
            _timer = new CancellationTokenSource();
        }
        if (timeout != Timeout.InfiniteTimeSpan) _timer.CancelAfter(timeout);
        if (ct.CanBeCanceled) _registration = ct.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), _timer);
        return _timer.Token;
    }

    private void Disarm()
    {
        _registration.Dispose();
        _registration = default;
    }

    private Exception Fail(Exception e, string what, TimeSpan timeout, CancellationToken ct)
    {
        _broken = true;
        Close();
        if (ct.IsCancellationRequested) return new OperationCanceledException("The operation was cancelled; the SMTP connection was closed.", e, ct);
        if (e is OperationCanceledException) return new SmtpConnectionException($"Timed out after {timeout} {what} ({_options.Host}:{_options.Port}).", e) { IsTimeout = true };
        return new SmtpConnectionException($"Connection to {_options.Host}:{_options.Port} failed {what}: {e.Message}", e);
    }

    private Exception Break(Exception e)
    {
        _broken = true;
        Close();
        return e;
    }

    private void CheckClosing(SmtpReply reply, string command, string? mailbox)
    {
        // RFC 5321 §3.8: 421 means the server is closing the transmission channel.
        if (reply.Code == 421)
        {
            _broken = true;
            Close();
            throw new SmtpCommandException(reply, command, mailbox);
        }
    }

    private SmtpCommandException Refused(SmtpReply reply, string command, string? mailbox)
    {
        if (reply.Code == 421)
        {
            _broken = true;
            Close();
        }
        return new SmtpCommandException(reply, command, mailbox);
    }

    private void Log(string line)
    {
        if (_log is not null) _log("C: " + line);
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        if (_outLen + bytes.Length > _out.Length) Array.Resize(ref _out, Math.Max(_out.Length * 2, _outLen + bytes.Length));
        bytes.CopyTo(_out.AsSpan(_outLen));
        _outLen += bytes.Length;
    }

    private void AppendAscii(string s)
    {
        if (_outLen + s.Length > _out.Length) Array.Resize(ref _out, Math.Max(_out.Length * 2, _outLen + s.Length));
        _outLen += TextEncoding.ASCII.GetBytes(s, _out.AsSpan(_outLen));
    }

    private void AppendUtf8(string s)
    {
        var max = TextEncoding.UTF8.GetMaxByteCount(s.Length);
        if (_outLen + max > _out.Length) Array.Resize(ref _out, Math.Max(_out.Length * 2, _outLen + max));
        _outLen += TextEncoding.UTF8.GetBytes(s, _out.AsSpan(_outLen));
    }

    private void Close()
    {
        _broken = true;
        try { _stream?.Dispose(); } catch (IOException) { } catch (ObjectDisposedException) { }
        try { _socket?.Dispose(); } catch (SocketException) { }
    }

    /// <summary>Closes the connection without QUIT.</summary>
    public ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            Close();
            _timer.Dispose();
        }
        return ValueTask.CompletedTask;
    }
}
