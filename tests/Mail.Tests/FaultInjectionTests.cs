using Newsletter.Mail.Smtp;
using Newsletter.TestSupport;

namespace Newsletter.Mail.Tests;

/// <summary>smtp-sink's own fault injection: -r (4xx), -f (5xx), -q (disconnect) at each stage of the transaction.</summary>
public class FaultInjectionTests
{
    private static readonly SmtpEnvelope Envelope = new("bounce@verdicts.example", ["reader@example.com"]);

    public static TheoryData<string, string> Stages => new()
    {
        { "mail", "MAIL" },
        { "rcpt", "RCPT" },
        { "data", "DATA" },
        { ".", "." },
    };

    private static async Task<SmtpConnectionPool> PoolFor(SmtpSink sink, bool pipelining = true) =>
        await Task.FromResult(new SmtpConnectionPool(new SmtpClientOptions
        {
            Host = sink.Host, Port = sink.Port, Security = SmtpSecurity.None, MaxConnections = 1, UsePipelining = pipelining,
            CommandTimeout = TimeSpan.FromSeconds(5), DataTerminationTimeout = TimeSpan.FromSeconds(5),
        }));

    [Theory]
    [MemberData(nameof(Stages))]
    public async Task Soft_reject_is_classified_transient_and_the_connection_stays_usable(string stage, string command)
    {
        foreach (var pipelining in new[] { true, false })
        {
            using var sink = SmtpSink.Start(new SmtpSinkOptions { SoftReject = stage, Dump = false });
            await using var pool = await PoolFor(sink, pipelining);
            var e = await Assert.ThrowsAsync<SmtpCommandException>(() => pool.SendAsync(Envelope, EmailMessageTests.Sample().ToArray(), CancellationToken.None));
            Assert.True(e.IsTransient);
            Assert.InRange(e.StatusCode, 400, 499);
            Assert.Equal(command, e.Command);
            Assert.False(string.IsNullOrEmpty(e.ServerText));
            Assert.Equal(1, pool.IdleCount); // RSET done, connection kept
            await AssertRecoversAsync(sink, pool);
        }
    }

    [Theory]
    [MemberData(nameof(Stages))]
    public async Task Hard_reject_is_classified_permanent_with_code_and_enhanced_code(string stage, string command)
    {
        using var sink = SmtpSink.Start(new SmtpSinkOptions { HardReject = stage, Dump = false });
        await using var pool = await PoolFor(sink);
        var e = await Assert.ThrowsAsync<SmtpCommandException>(() => pool.SendAsync(Envelope, EmailMessageTests.Sample().ToArray(), CancellationToken.None));
        Assert.False(e.IsTransient);
        Assert.InRange(e.StatusCode, 500, 599);
        Assert.Equal(command, e.Command);
        Assert.StartsWith("5.", e.EnhancedStatusCode, StringComparison.Ordinal);
        if (command == "RCPT") Assert.Equal("reader@example.com", e.Mailbox);
        Assert.Contains(e.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message, StringComparison.Ordinal);
        // The same connection still works: a NOOP-free check is sending again, which is rejected the same way, not broken.
        var again = await Assert.ThrowsAsync<SmtpCommandException>(() => pool.SendAsync(Envelope, EmailMessageTests.Sample().ToArray(), CancellationToken.None));
        Assert.Equal(e.StatusCode, again.StatusCode);
        await AssertRecoversAsync(sink, pool);
    }

    [Theory]
    [MemberData(nameof(Stages))]
    public async Task Disconnect_is_classified_transient_and_the_pool_recovers(string stage, string command)
    {
        _ = command;
        using var sink = SmtpSink.Start(new SmtpSinkOptions { DisconnectAfter = stage, Dump = false });
        await using var pool = await PoolFor(sink);
        var e = await Assert.ThrowsAsync<SmtpConnectionException>(() => pool.SendAsync(Envelope, EmailMessageTests.Sample().ToArray(), CancellationToken.None));
        Assert.True(e.IsTransient);
        Assert.Equal(0, pool.IdleCount); // broken connection discarded
        await Assert.ThrowsAsync<SmtpConnectionException>(() => pool.SendAsync(Envelope, EmailMessageTests.Sample().ToArray(), CancellationToken.None));
        await AssertRecoversAsync(sink, pool);
    }

    /// <summary>Replaces the faulty sink by a healthy one on the same port: the same pool's next send succeeds.</summary>
    private static async Task AssertRecoversAsync(SmtpSink faulty, SmtpConnectionPool pool)
    {
        var port = faulty.Port;
        faulty.Dispose();
        using var healthy = SmtpSink.Start(new SmtpSinkOptions { Port = port });
        var result = await pool.SendAsync(Envelope, EmailMessageTests.Sample().ToArray(), CancellationToken.None);
        Assert.Equal(250, result.Reply.Code);
        Assert.Single(healthy.WaitForMessages(1, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Pool_recovers_when_the_server_stops_failing()
    {
        // Reject only the second recipient: partial success is reported, not thrown.
        using var sink = SmtpSink.Start(new SmtpSinkOptions { HardReject = "rcpt", Dump = true });
        await using var pool = await PoolFor(sink);
        var e = await Assert.ThrowsAsync<SmtpCommandException>(() => pool.SendAsync(new SmtpEnvelope("a@verdicts.example", ["x@example.com", "y@example.com"]), EmailMessageTests.Sample().ToArray(), CancellationToken.None));
        Assert.Equal("x@example.com", e.Mailbox);
        using var good = SmtpSink.Start();
        await using var pool2 = await PoolFor(good);
        var r = await pool2.SendAsync(Envelope, EmailMessageTests.Sample().ToArray(), CancellationToken.None);
        Assert.Equal(250, r.Reply.Code);
        Assert.Empty(r.RejectedRecipients);
    }
}
