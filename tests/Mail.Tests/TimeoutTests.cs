using System.Net;
using System.Net.Sockets;
using Newsletter.Mail.Smtp;

namespace Newsletter.Mail.Tests;

public class TimeoutTests
{
    [Fact]
    public async Task Silent_server_times_out_as_a_transient_connection_error()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var accept = listener.AcceptTcpClientAsync();
            await using var pool = new SmtpConnectionPool(new SmtpClientOptions
            {
                Host = "127.0.0.1", Port = ((IPEndPoint)listener.LocalEndpoint).Port, Security = SmtpSecurity.None,
                CommandTimeout = TimeSpan.FromMilliseconds(300),
            });
            var sw = System.Diagnostics.Stopwatch.StartNew();
            var e = await Assert.ThrowsAsync<SmtpConnectionException>(() => pool.SendAsync(new SmtpEnvelope("a@x.example", "b@y.example"), "x\r\n"u8.ToArray(), CancellationToken.None));
            Assert.True(e.IsTimeout);
            Assert.True(e.IsTransient);
            Assert.Contains("CONNECT", e.Message, StringComparison.Ordinal);
            Assert.InRange(sw.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));
            (await accept).Dispose();
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public async Task Cancelling_a_pending_reply_throws_operation_cancelled_not_a_timeout()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var accept = listener.AcceptTcpClientAsync();
            await using var client = new SmtpClient(new SmtpClientOptions { Host = "127.0.0.1", Port = ((IPEndPoint)listener.LocalEndpoint).Port, Security = SmtpSecurity.None });
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.ConnectAsync(cts.Token));
            Assert.False(client.IsConnected);
            (await accept).Dispose();
        }
        finally
        {
            listener.Stop();
        }
    }
}
