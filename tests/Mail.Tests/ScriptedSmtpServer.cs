using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Newsletter.Mail.Tests;

/// <summary>
/// A minimal SMTP server on 127.0.0.1 for what smtp-sink cannot do (TLS): STARTTLS or implicit TLS with the given
/// certificate, AUTH PLAIN/LOGIN, and recording of every line received.
/// </summary>
internal sealed class ScriptedSmtpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly X509Certificate2 _certificate;
    private readonly bool _implicitTls;
    private readonly bool _offerStartTls;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private readonly Func<int, string?>? _endOfDataReply;
    private int _messageCount;

    /// <param name="endOfDataReply">
    /// The reply to the n-th message's final "." (counted from 0 across connections), or null to drop the connection
    /// without a reply; "250 2.0.0 queued" for every message when not given.
    /// </param>
    public ScriptedSmtpServer(X509Certificate2 certificate, bool implicitTls, bool offerStartTls = true, Func<int, string?>? endOfDataReply = null)
    {
        _endOfDataReply = endOfDataReply;
        _certificate = certificate;
        _implicitTls = implicitTls;
        _offerStartTls = offerStartTls;
        _listener.Start();
        _loop = Task.Run(AcceptLoop);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public System.Collections.Concurrent.ConcurrentQueue<string> Lines { get; } = new();

    public System.Collections.Concurrent.ConcurrentQueue<string> Messages { get; } = new();

    public static X509Certificate2 CreateCertificate(string name)
    {
        using var rsa = RSA.Create(2048);
        var req = new CertificateRequest("CN=" + name, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(name);
        if (IPAddress.TryParse(name, out var ip)) san.AddIpAddress(ip);
        req.CertificateExtensions.Add(san.Build());
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var cert = req.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pfx), null);
    }

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient tcp;
            try
            {
                tcp = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = Task.Run(() => Serve(tcp));
        }
    }

    private async Task Serve(TcpClient tcp)
    {
        using var _ = tcp;
        Stream stream = tcp.GetStream();
        try
        {
            var tls = false;
            if (_implicitTls)
            {
                var ssl = new SslStream(stream);
                await ssl.AuthenticateAsServerAsync(_certificate);
                stream = ssl;
                tls = true;
            }
            var reader = new LineReader(stream);
            await Send(stream, "220 scripted ESMTP\r\n");
            while (true)
            {
                var line = await reader.ReadLine();
                if (line is null) return;
                Lines.Enqueue(line);
                var verb = line.Split(' ')[0].ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO":
                        await Send(stream, "250-scripted\r\n250-PIPELINING\r\n" + (!tls && _offerStartTls ? "250-STARTTLS\r\n" : "") + "250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n");
                        break;
                    case "STARTTLS":
                        await Send(stream, "220 2.0.0 go ahead\r\n");
                        var ssl = new SslStream(stream);
                        await ssl.AuthenticateAsServerAsync(_certificate);
                        stream = ssl;
                        reader = new LineReader(stream);
                        tls = true;
                        break;
                    case "AUTH":
                        if (line.StartsWith("AUTH LOGIN", StringComparison.OrdinalIgnoreCase))
                        {
                            await Send(stream, "334 VXNlcm5hbWU6\r\n");
                            Lines.Enqueue(await reader.ReadLine() ?? "");
                            await Send(stream, "334 UGFzc3dvcmQ6\r\n");
                            Lines.Enqueue(await reader.ReadLine() ?? "");
                        }
                        await Send(stream, "235 2.7.0 ok\r\n");
                        break;
                    case "DATA":
                        await Send(stream, "354 go\r\n");
                        var sb = new StringBuilder();
                        while (true)
                        {
                            var l = await reader.ReadLine();
                            if (l is null or ".") break;
                            sb.Append(l.StartsWith('.') ? l[1..] : l).Append('\n');
                        }
                        Messages.Enqueue(sb.ToString());
                        var index = Interlocked.Increment(ref _messageCount) - 1;
                        var reply = _endOfDataReply is null ? "250 2.0.0 queued" : _endOfDataReply(index);
                        if (reply is null) return; // drop the connection
                        await Send(stream, reply + "\r\n");
                        break;
                    case "QUIT":
                        await Send(stream, "221 bye\r\n");
                        return;
                    default:
                        await Send(stream, "250 ok\r\n");
                        break;
                }
            }
        }
        catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException or ObjectDisposedException)
        {
            Lines.Enqueue("!" + e.GetType().Name);
        }
    }

    private static async Task Send(Stream s, string text)
    {
        await s.WriteAsync(System.Text.Encoding.ASCII.GetBytes(text));
        await s.FlushAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try { await _loop; } catch (OperationCanceledException) { }
        _stop.Dispose();
    }

    private sealed class LineReader(Stream stream)
    {
        private readonly byte[] _buf = new byte[65536];
        private int _start;
        private int _end;

        public async Task<string?> ReadLine()
        {
            while (true)
            {
                var idx = Array.IndexOf(_buf, (byte)'\n', _start, _end - _start);
                if (idx >= 0)
                {
                    var line = System.Text.Encoding.UTF8.GetString(_buf, _start, idx - _start).TrimEnd('\r');
                    _start = idx + 1;
                    return line;
                }
                if (_start > 0) { Buffer.BlockCopy(_buf, _start, _buf, 0, _end - _start); _end -= _start; _start = 0; }
                var n = await stream.ReadAsync(_buf.AsMemory(_end));
                if (n == 0) return null;
                _end += n;
            }
        }
    }
}
