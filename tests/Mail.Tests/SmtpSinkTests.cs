using Newsletter.Mail.Mime;
using Newsletter.Mail.Smtp;
using Newsletter.TestSupport;

namespace Newsletter.Mail.Tests;

public class SmtpSinkTests
{
    internal static SmtpClientOptions Options(SmtpSink sink, int maxConnections = 2, int perConnection = 1000) => new()
    {
        Host = sink.Host,
        Port = sink.Port,
        Security = SmtpSecurity.None,
        MaxConnections = maxConnections,
        MaxMessagesPerConnection = perConnection,
        CommandTimeout = TimeSpan.FromSeconds(5),
        DataTerminationTimeout = TimeSpan.FromSeconds(5),
        DataBlockTimeout = TimeSpan.FromSeconds(5),
        ConnectTimeout = TimeSpan.FromSeconds(5),
    };

    private static readonly SmtpEnvelope Envelope = new("bounce@verdicts.example", ["reader@example.com"]);

    [Fact]
    public async Task Message_arrives_intact_and_decodes_to_what_was_composed()
    {
        using var sink = SmtpSink.Start();
        await using var pool = new SmtpConnectionPool(Options(sink));
        var text = "Hello Jörg,\n.a line starting with a dot\n..two dots\n.\nend\n";
        var m = EmailMessageTests.Sample(text, "<p>Grüße</p>\n.dot\n", "Verdicts für dich");
        var bytes = m.ToArray();
        var result = await pool.SendAsync(new SmtpEnvelope("bounce@verdicts.example", ["reader@example.com", "second@example.com"]), bytes, CancellationToken.None);
        Assert.Equal(250, result.Reply.Code);
        Assert.Equal(["reader@example.com", "second@example.com"], result.AcceptedRecipients);
        var got = sink.WaitForMessages(1, TimeSpan.FromSeconds(5))[0];
        Assert.StartsWith("<bounce@verdicts.example>", got.MailFrom, StringComparison.Ordinal);
        Assert.Equal(["<reader@example.com>", "<second@example.com>"], got.Recipients);
        Assert.Equal(System.Text.Encoding.UTF8.GetString(bytes).Replace("\r\n", "\n"), got.Message);
        var p = PythonEmail.Parse(got.MessageBytes);
        Assert.Equal("Verdicts für dich", p.Header("Subject"));
        Assert.Equal(text, p.GetProperty("parts")[0].GetProperty("content").GetString());
        Assert.Equal("<p>Grüße</p>\n.dot\n", p.GetProperty("parts")[1].GetProperty("content").GetString());
    }

    [Fact]
    public async Task Raw_message_with_leading_dots_is_dot_stuffed_and_unstuffed_by_the_server()
    {
        using var sink = SmtpSink.Start();
        await using var pool = new SmtpConnectionPool(Options(sink));
        var raw = ".starts\r\nSubject: x\r\n\r\n.\r\n..\r\nbody\n.bare-lf\r\nno final newline"u8.ToArray();
        await pool.SendAsync(Envelope, raw, CancellationToken.None);
        var got = sink.WaitForMessages(1, TimeSpan.FromSeconds(5))[0];
        Assert.Equal(".starts\nSubject: x\n\n.\n..\nbody\n.bare-lf\nno final newline\n", got.Message);
    }

    [Fact]
    public async Task Many_messages_reuse_few_connections_and_respect_the_per_connection_limit()
    {
        using var sink = SmtpSink.Start();
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        await using var pool = new SmtpConnectionPool(Options(sink, maxConnections: 3, perConnection: 5), log.Enqueue);
        var bytes = EmailMessageTests.Sample().ToArray();
        await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => pool.SendAsync(Envelope, bytes, CancellationToken.None)));
        Assert.Equal(40, sink.WaitForMessages(40, TimeSpan.FromSeconds(10)).Count);
        var ehlos = log.Count(l => l.StartsWith("C: EHLO", StringComparison.Ordinal));
        Assert.InRange(ehlos, 8, 14); // 40 messages / 5 per connection, plus a few when sends overlap
        Assert.Equal(ehlos - pool.IdleCount, log.Count(l => l == "C: QUIT"));
        Assert.True(pool.IdleCount <= 3);
    }

    [Fact]
    public async Task Idle_connections_are_closed_after_the_idle_timeout()
    {
        using var sink = SmtpSink.Start();
        var o = Options(sink);
        await using var pool = new SmtpConnectionPool(new SmtpClientOptions { Host = o.Host, Port = o.Port, Security = SmtpSecurity.None, IdleTimeout = TimeSpan.FromMilliseconds(200) });
        await pool.SendAsync(Envelope, EmailMessageTests.Sample().ToArray(), CancellationToken.None);
        Assert.Equal(1, pool.IdleCount);
        for (var i = 0; i < 50 && pool.IdleCount > 0; i++) await Task.Delay(50);
        Assert.Equal(0, pool.IdleCount);
        await pool.SendAsync(Envelope, EmailMessageTests.Sample().ToArray(), CancellationToken.None);
    }

    [Fact]
    public async Task Without_pipelining_and_without_esmtp_sending_still_works()
    {
        foreach (var options in new[] { new SmtpSinkOptions { DisablePipelining = true }, new SmtpSinkOptions { DisableEsmtp = true } })
        {
            using var sink = SmtpSink.Start(options);
            var log = new List<string>();
            await using var client = new SmtpClient(Options(sink), log.Add);
            await client.ConnectAsync(CancellationToken.None);
            Assert.False(client.Capabilities.Supports(SmtpExtensions.Pipelining));
            await client.SendAsync(new SmtpEnvelope("a@verdicts.example", ["b@example.com", "c@example.com"]), EmailMessageTests.Sample().ToArray(), CancellationToken.None);
            await client.QuitAsync(CancellationToken.None);
            Assert.Single(sink.WaitForMessages(1, TimeSpan.FromSeconds(5)));
            if (options.DisableEsmtp) Assert.Contains("C: HELO localhost", log);
        }
    }

    [Fact]
    public async Task Capabilities_of_smtp_sink_are_parsed()
    {
        using var sink = SmtpSink.Start(new SmtpSinkOptions { Dump = false });
        await using var client = new SmtpClient(Options(sink));
        await client.ConnectAsync(CancellationToken.None);
        var caps = client.Capabilities;
        Assert.True(caps.Supports(SmtpExtensions.Pipelining | SmtpExtensions.EightBitMime | SmtpExtensions.EnhancedStatusCodes | SmtpExtensions.Auth | SmtpExtensions.Dsn));
        Assert.False(caps.Supports(SmtpExtensions.StartTls));
        Assert.Contains("PLAIN", caps.AuthMechanisms);
        Assert.Equal("smtp-sink", caps.ServerName);
        await client.NoopAsync(CancellationToken.None);
        await client.QuitAsync(CancellationToken.None);
        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task Probe_succeeds_against_a_live_server_and_fails_transiently_when_it_is_gone()
    {
        int port;
        using (var sink = SmtpSink.Start(new SmtpSinkOptions { Dump = false }))
        {
            port = sink.Port;
            await using var pool = new SmtpConnectionPool(Options(sink));
            await pool.ProbeAsync(CancellationToken.None);
        }
        await using var dead = new SmtpConnectionPool(new SmtpClientOptions { Host = "127.0.0.1", Port = port, Security = SmtpSecurity.None, ConnectTimeout = TimeSpan.FromSeconds(2) });
        var e = await Assert.ThrowsAsync<SmtpConnectionException>(() => dead.ProbeAsync(CancellationToken.None));
        Assert.True(e.IsTransient);
    }

    [Fact]
    public async Task A_probe_with_an_envelope_fails_when_the_server_answers_ehlo_but_refuses_mail_and_sends_nothing()
    {
        var envelope = new SmtpEnvelope("probe@example.com", "postmaster@example.com");
        using (var refusing = SmtpSink.Start(new SmtpSinkOptions { SoftReject = "mail", SoftRejectReply = "451 4.3.0 Try again later" }))
        {
            await using var pool = new SmtpConnectionPool(Options(refusing));
            await pool.ProbeAsync(CancellationToken.None); // EHLO alone passes
            var e = await Assert.ThrowsAsync<SmtpCommandException>(() => pool.ProbeAsync(envelope, CancellationToken.None));
            Assert.Equal("MAIL", e.Command);
            Assert.True(e.IsTransient);
        }
        using var sink = SmtpSink.Start();
        await using (var pool = new SmtpConnectionPool(Options(sink)))
            await pool.ProbeAsync(envelope, CancellationToken.None);
        Assert.Equal(0, sink.MessageCount);
    }

    [Fact]
    public async Task Non_ascii_local_part_without_smtputf8_is_a_permanent_error_for_that_message_only()
    {
        using var sink = SmtpSink.Start();
        await using var pool = new SmtpConnectionPool(Options(sink, maxConnections: 1));
        var bytes = EmailMessageTests.Sample().ToArray();
        var e = await Assert.ThrowsAsync<SmtpNotSupportedException>(() => pool.SendAsync(new SmtpEnvelope("a@verdicts.example", ["jörg@example.de"]), bytes, CancellationToken.None));
        Assert.False(e.IsTransient);
        Assert.Contains("SMTPUTF8", e.Message, StringComparison.Ordinal);
        await pool.SendAsync(Envelope, bytes, CancellationToken.None);
        Assert.Single(sink.WaitForMessages(1, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Cancellation_is_honoured_and_the_pool_recovers()
    {
        using var sink = SmtpSink.Start(new SmtpSinkOptions { Dump = false });
        await using var pool = new SmtpConnectionPool(Options(sink, maxConnections: 1));
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pool.SendAsync(Envelope, EmailMessageTests.Sample().ToArray(), cts.Token));
        await pool.SendAsync(Envelope, EmailMessageTests.Sample().ToArray(), CancellationToken.None);
    }

    [Fact]
    public async Task Arguments_are_checked_before_anything_is_sent()
    {
        using var sink = SmtpSink.Start(new SmtpSinkOptions { Dump = false });
        await using var pool = new SmtpConnectionPool(Options(sink));
        Assert.Throws<ArgumentException>(() => { _ = pool.SendAsync(new SmtpEnvelope("a@b.example", []), new byte[1], CancellationToken.None); });
        Assert.Throws<ArgumentException>(() => { _ = pool.SendAsync(new SmtpEnvelope("a@b.example", ["x@y.example>\r\nRCPT TO:<z@w.example"]), new byte[1], CancellationToken.None); });
        Assert.Throws<ArgumentNullException>(() => { _ = pool.SendAsync(null!, new byte[1], CancellationToken.None); });
        await Task.CompletedTask;
    }
}
