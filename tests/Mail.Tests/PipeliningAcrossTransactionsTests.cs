using System.Collections.Concurrent;
using Newsletter.Mail.Smtp;
using Newsletter.TestSupport;

namespace Newsletter.Mail.Tests;

/// <summary>
/// RFC 2920 §3.1 lets the message content be the first "command" of a group: when more senders wait than the pool has
/// connections, the next sender's MAIL, RCPT and DATA follow the previous message's final "." in the same write and
/// the connection passes straight to it. These tests check that it happens, that every message still arrives with its
/// own envelope, and that failures of either transaction stay with that transaction.
/// </summary>
public class PipeliningAcrossTransactionsTests
{
    private static readonly Lazy<System.Security.Cryptography.X509Certificates.X509Certificate2> Cert = new(() => ScriptedSmtpServer.CreateCertificate("localhost"));

    private static byte[] Message(int i) => System.Text.Encoding.ASCII.GetBytes($"Subject: message {i}\r\n\r\nbody of message {i}\r\n.dot line {i}\r\n");

    [Fact]
    public async Task Senders_waiting_in_line_are_pipelined_behind_the_previous_message_and_each_arrives_with_its_own_envelope()
    {
        using var sink = SmtpSink.Start();
        var log = new ConcurrentQueue<string>();
        await using var pool = new SmtpConnectionPool(SmtpSinkTests.Options(sink, maxConnections: 2, perConnection: 1000), log.Enqueue);
        const int count = 40;
        var results = await Task.WhenAll(Enumerable.Range(0, count).Select(i =>
            pool.SendAsync(new SmtpEnvelope("bounce@verdicts.example", [$"reader{i}@example.com"]), Message(i), CancellationToken.None)));
        Assert.All(results, r => Assert.Equal(250, r.Reply.Code));
        Assert.True(pool.PipelinedTransactions >= count / 2, $"only {pool.PipelinedTransactions} of {count} transactions were pipelined");
        Assert.DoesNotContain("C: RSET", log);
        var received = sink.WaitForMessages(count, TimeSpan.FromSeconds(10));
        Assert.Equal(count, received.Count);
        foreach (var m in received)
        {
            // Recipient and content belong together: nothing of one transaction leaked into another.
            var i = int.Parse(Assert.Single(m.Recipients)["<reader".Length..^"@example.com>".Length], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal($"Subject: message {i}\n\nbody of message {i}\n.dot line {i}\n", m.Message);
        }
        Assert.Equal(count, received.Select(m => m.Recipients[0]).Distinct().Count());
        Assert.True(log.Count(l => l.StartsWith("C: EHLO", StringComparison.Ordinal)) <= 2);
    }

    [Fact]
    public async Task The_per_connection_limit_holds_with_pipelining()
    {
        using var sink = SmtpSink.Start(new SmtpSinkOptions { Dump = false });
        var log = new ConcurrentQueue<string>();
        await using var pool = new SmtpConnectionPool(SmtpSinkTests.Options(sink, maxConnections: 1, perConnection: 3), log.Enqueue);
        await Task.WhenAll(Enumerable.Range(0, 12).Select(i => pool.SendAsync(new SmtpEnvelope("bounce@verdicts.example", [$"r{i}@example.com"]), Message(i), CancellationToken.None)));
        Assert.True(pool.PipelinedTransactions > 0);
        // 12 messages at 3 a connection: 4 connections, each ended with QUIT after its third message.
        var lines = log.ToList();
        var perConnection = 0;
        foreach (var l in lines)
        {
            if (l.StartsWith("C: EHLO", StringComparison.Ordinal)) perConnection = 0;
            if (l.StartsWith("C: MAIL FROM", StringComparison.Ordinal)) Assert.InRange(++perConnection, 1, 3);
        }
        Assert.Equal(4, lines.Count(l => l.StartsWith("C: EHLO", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_rejected_message_does_not_disturb_the_transaction_pipelined_behind_it()
    {
        // No real server rejects one message's data and accepts the next on the same connection on demand: the
        // scripted server does (in addition to smtp-sink's -f ".", which rejects every message, below).
        await using var server = new ScriptedSmtpServer(Cert.Value, implicitTls: false, offerStartTls: false,
            endOfDataReply: n => n % 2 == 0 ? "554 5.7.1 message " + n + " refused" : "250 2.0.0 queued " + n);
        await using var pool = new SmtpConnectionPool(new SmtpClientOptions
        {
            Host = "127.0.0.1", Port = server.Port, Security = SmtpSecurity.None, MaxConnections = 1,
            CommandTimeout = TimeSpan.FromSeconds(5), DataTerminationTimeout = TimeSpan.FromSeconds(5),
        });
        var sends = Enumerable.Range(0, 10).Select(i => pool.SendAsync(new SmtpEnvelope("a@verdicts.example", [$"r{i}@example.com"]), Message(i), CancellationToken.None)).ToArray();
        var outcomes = new List<string>();
        foreach (var send in sends)
        {
            try
            {
                outcomes.Add((await send).Reply.ToString());
            }
            catch (SmtpCommandException e)
            {
                Assert.False(e.IsTransient);
                Assert.Equal(".", e.Command);
                outcomes.Add(e.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        Assert.Equal(5, outcomes.Count(o => o == "554"));
        Assert.Equal(5, outcomes.Count(o => o.StartsWith("250", StringComparison.Ordinal)));
        Assert.True(pool.PipelinedTransactions > 0);
        // No RSET went out in the middle of a pipelined transaction (it would have ended up inside a message).
        Assert.DoesNotContain("RSET", server.Lines);
        Assert.Equal(10, server.Messages.Count);
        Assert.All(server.Messages, m => Assert.Matches(@"^Subject: message \d\n\nbody of message \d\n\.dot line \d\n$", m));
        Assert.Equal(1, server.Lines.Count(l => l.StartsWith("EHLO", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Without_pipelining_the_senders_in_line_are_served_one_transaction_at_a_time()
    {
        // smtp-sink -f implies -p: no PIPELINING, so nothing is pipelined and each refusal is followed by RSET.
        using var sink = SmtpSink.Start(new SmtpSinkOptions { HardReject = ".", Dump = false });
        var log = new ConcurrentQueue<string>();
        await using var pool = new SmtpConnectionPool(SmtpSinkTests.Options(sink, maxConnections: 2), log.Enqueue);
        var sends = Enumerable.Range(0, 12).Select(i => pool.SendAsync(new SmtpEnvelope("a@verdicts.example", [$"r{i}@example.com"]), Message(i), CancellationToken.None)).ToArray();
        foreach (var send in sends)
        {
            var e = await Assert.ThrowsAsync<SmtpCommandException>(() => send);
            Assert.False(e.IsTransient);
            Assert.Equal(".", e.Command);
        }
        Assert.Equal(0, pool.PipelinedTransactions);
        Assert.Equal(12, log.Count(l => l == "C: RSET"));
    }

    [Fact]
    public async Task The_transaction_pipelined_behind_a_dropped_connection_is_sent_on_a_new_one()
    {
        // The server drops the connection at the end of message 0, after message 1's commands went out behind it.
        await using var server = new ScriptedSmtpServer(Cert.Value, implicitTls: false, offerStartTls: false,
            endOfDataReply: n => n == 0 ? null : "250 2.0.0 queued " + n);
        await using var pool = new SmtpConnectionPool(new SmtpClientOptions
        {
            Host = "127.0.0.1", Port = server.Port, Security = SmtpSecurity.None, MaxConnections = 1,
            CommandTimeout = TimeSpan.FromSeconds(5), DataTerminationTimeout = TimeSpan.FromSeconds(5),
        });
        var sends = Enumerable.Range(0, 4).Select(i => pool.SendAsync(new SmtpEnvelope("a@verdicts.example", [$"r{i}@example.com"]), Message(i), CancellationToken.None)).ToArray();
        var dropped = await Assert.ThrowsAsync<SmtpConnectionException>(() => sends[0]);
        Assert.True(dropped.IsTransient);
        for (var i = 1; i < 4; i++) Assert.Equal(250, (await sends[i]).Reply.Code);
        Assert.Equal(2, server.Lines.Count(l => l.StartsWith("EHLO", StringComparison.Ordinal)));
        Assert.Equal(4, server.Messages.Count);
    }

    [Fact]
    public async Task When_the_server_drops_the_connection_after_each_message_every_sender_still_gets_an_answer()
    {
        // smtp-sink -q ".": the connection is dropped at the end of each message, after the next sender's commands
        // were written on it. That sender must not hang: it goes back to the line and gets a fresh connection.
        using var sink = SmtpSink.Start(new SmtpSinkOptions { DisconnectAfter = ".", Dump = false });
        await using var pool = new SmtpConnectionPool(SmtpSinkTests.Options(sink, maxConnections: 2));
        var sends = Enumerable.Range(0, 10).Select(i => pool.SendAsync(new SmtpEnvelope("a@verdicts.example", [$"r{i}@example.com"]), Message(i), CancellationToken.None)).ToArray();
        var all = Task.WhenAll(sends);
        await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(30)));
        Assert.True(sends.All(s => s.IsCompleted), "a sender waited forever for a connection that had died");
        foreach (var send in sends)
        {
            var e = await Assert.ThrowsAsync<SmtpConnectionException>(() => send);
            Assert.True(e.IsTransient);
        }
        // And the pool still works against a healthy server on the same port.
        var port = sink.Port;
        sink.Dispose();
        using var healthy = SmtpSink.Start(new SmtpSinkOptions { Port = port });
        await pool.SendAsync(new SmtpEnvelope("a@verdicts.example", ["ok@example.com"]), Message(99), CancellationToken.None);
        Assert.Single(healthy.WaitForMessages(1, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Pipelining_across_transactions_works_over_tls()
    {
        await using var server = new ScriptedSmtpServer(Cert.Value, implicitTls: true);
        await using var pool = new SmtpConnectionPool(new SmtpClientOptions
        {
            Host = "localhost", Port = server.Port, Security = SmtpSecurity.SslOnConnect, AcceptInvalidCertificates = true, MaxConnections = 1,
            CommandTimeout = TimeSpan.FromSeconds(5), DataTerminationTimeout = TimeSpan.FromSeconds(5), ConnectTimeout = TimeSpan.FromSeconds(5),
        });
        // A large message takes the path that writes the message and the tail separately (no gathered send over TLS).
        var big = System.Text.Encoding.ASCII.GetBytes("Subject: big\r\n\r\n" + string.Concat(Enumerable.Repeat("0123456789 abcdefghij\r\n", 400)));
        await Task.WhenAll(Enumerable.Range(0, 8).Select(i => pool.SendAsync(new SmtpEnvelope("a@verdicts.example", [$"r{i}@example.com"]), i % 2 == 0 ? big : Message(i), CancellationToken.None)));
        Assert.Equal(8, server.Messages.Count);
        Assert.True(pool.PipelinedTransactions > 0);
        Assert.Equal(4, server.Messages.Count(m => m.StartsWith("Subject: big\n", StringComparison.Ordinal) && m.Length == "Subject: big\n\n".Length + 400 * 22));
    }

    [Fact]
    public async Task A_sender_cancelled_while_waiting_in_line_leaves_the_line_and_the_others_are_served()
    {
        using var sink = SmtpSink.Start();
        await using var pool = new SmtpConnectionPool(SmtpSinkTests.Options(sink, maxConnections: 1));
        using var cts = new CancellationTokenSource();
        var first = Enumerable.Range(0, 5).Select(i => pool.SendAsync(new SmtpEnvelope("a@verdicts.example", [$"r{i}@example.com"]), Message(i), CancellationToken.None)).ToArray();
        var cancelled = Enumerable.Range(5, 5).Select(i => pool.SendAsync(new SmtpEnvelope("a@verdicts.example", [$"r{i}@example.com"]), Message(i), cts.Token)).ToArray();
        await cts.CancelAsync();
        var last = pool.SendAsync(new SmtpEnvelope("a@verdicts.example", ["last@example.com"]), Message(10), CancellationToken.None);
        await Task.WhenAll(first);
        await last;
        foreach (var c in cancelled)
        {
            // Either it left the line, or it had already been taken out of it and was sent (or cancelled mid-send).
            try { await c; } catch (OperationCanceledException) { } catch (SmtpConnectionException) { }
        }
        await pool.SendAsync(new SmtpEnvelope("a@verdicts.example", ["after@example.com"]), Message(11), CancellationToken.None);

        // The five in line before the cancelled ones, the one after them and one sent later all arrived, each once; of
        // the cancelled ones, none arrived twice.
        var received = sink.ReadMessages().SelectMany(m => m.Recipients).ToList(); // every send above has its reply: its dump is whole
        foreach (var r in Enumerable.Range(0, 5).Select(i => $"<r{i}@example.com>").Append("<last@example.com>").Append("<after@example.com>"))
            Assert.Equal(1, received.Count(x => x == r));
        Assert.All(received.GroupBy(x => x), g => Assert.Single(g));
        Assert.InRange(received.Count, 7, 12);
    }

    [Fact]
    public async Task A_long_line_of_senders_facing_a_refused_connection_all_get_an_answer()
    {
        // The turn passes from sender to sender on the completing thread (no thread-pool hop); with a server that refuses
        // every connection at once, each failure hands the slot straight to the next of 2,000 senders. None may hang, and
        // the chain must not run the stack out (the runtime schedules instead of inlining when the stack runs deep).
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await using var pool = new SmtpConnectionPool(new SmtpClientOptions { Host = "127.0.0.1", Port = port, Security = SmtpSecurity.None, MaxConnections = 1 });
        var sends = Enumerable.Range(0, 2000).Select(i => pool.SendAsync(new SmtpEnvelope("a@verdicts.example", [$"r{i}@example.com"]), Message(i), CancellationToken.None)).ToArray();
        var all = Task.WhenAll(sends);
        Assert.Same(all, await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(60))));
        Assert.All(sends, t => Assert.IsType<SmtpConnectionException>(t.Exception?.InnerException));
    }
}
