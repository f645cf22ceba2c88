using Microsoft.Extensions.Options;
using Newsletter.Mail.Smtp;
using Newsletter.Sender.Editions;
using Newsletter.Sender.Hosting;
using Newsletter.TestSupport;

namespace Newsletter.Sender.Tests.Editions.Sending;

public sealed class ThrottlingTests
{
    private sealed class ManualTime : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static SmtpCommandException Reply(int code, string enhanced, string text)
        => new(new SmtpReply(code, [enhanced + " " + text]), "RCPT TO", "a@example.com");

    [Theory]
    [InlineData(421, "4.7.0", "Service closing transmission channel", true)]
    [InlineData(454, "4.7.0", "TLS not available", true)]
    [InlineData(451, "4.7.1", "Rate limit exceeded, slow down", true)]
    [InlineData(450, "4.2.1", "Too many messages from this IP", true)]
    [InlineData(450, "4.2.0", "Mailbox busy", false)]
    [InlineData(550, "5.1.1", "No such user", false)]
    public void Throttling_replies_are_recognised_and_others_are_not(int code, string enhanced, string text, bool throttling)
        => Assert.Equal(throttling, AdaptiveRateLimiter.IsThrottling(Reply(code, enhanced, text)));

    [Fact]
    public void A_throttling_reply_halves_the_rate_and_it_recovers_gradually_to_the_ceiling()
    {
        var time = new ManualTime();
        var limiter = new AdaptiveRateLimiter(100, time);
        Assert.Equal(100, limiter.Rate);

        Assert.True(limiter.OnFailure(Reply(421, "4.7.0", "Too many connections")));
        Assert.Equal(50, limiter.Rate);
        Assert.False(limiter.OnFailure(Reply(550, "5.1.1", "No such user")));
        Assert.Equal(50, limiter.Rate);

        var rates = new List<double>();
        for (var second = 0; second < 10; second++)
        {
            time.Now = time.Now.AddSeconds(1.01);
            _ = limiter.WaitAsync(CancellationToken.None).AsTask(); // any activity lets it take stock of the last second
            rates.Add(limiter.Rate!.Value);
        }
        Assert.True(rates.Zip(rates.Skip(1)).All(p => p.Second >= p.First), string.Join(", ", rates));
        Assert.True(rates[0] < 60, $"recovery should be gradual, got {rates[0]} after one second");
        Assert.Equal(100, rates[^1], 1);
    }

    [Fact]
    public async Task A_ceiling_spaces_messages_out()
    {
        var limiter = new AdaptiveRateLimiter(20, TimeProvider.System);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < 21; i++) await limiter.WaitAsync(CancellationToken.None);
        // One token at start, then 20 more at 20 per second.
        Assert.InRange(watch.Elapsed.TotalSeconds, 0.9, 3);
    }

    [Fact]
    public async Task A_relay_answering_with_a_rate_limit_is_slowed_down_and_the_message_deferred()
    {
        using var sink = SmtpSink.Start(new SmtpSinkOptions { SoftReject = "rcpt", SoftRejectReply = "451 4.7.1 Rate limit exceeded, try again later" });
        await using var transport = Transport(new SmtpOptions { Mode = SmtpMode.Smtp, Host = sink.Host, Port = sink.Port, Security = SmtpSecurityMode.None });

        var error = await Assert.ThrowsAsync<SmtpCommandException>(() =>
            transport.SendAsync(new SmtpEnvelope("from@example.com", ["to@example.com"]), "Subject: x\r\n\r\nhi\r\n"u8.ToArray(), CancellationToken.None));

        Assert.Equal(OutcomeKind.Deferred, Outcome.FromException(error).Kind);
        Assert.NotNull(Assert.Single(transport.Rates).Rate);
    }

    [Fact]
    public async Task Messages_are_shared_by_weight_and_a_dead_relay_leaves_its_share_to_the_other()
    {
        using var primary = SmtpSink.Start();
        var fallback = SmtpSink.Start();
        await using var transport = Transport(new SmtpOptions
        {
            Mode = SmtpMode.Smtp,
            Security = SmtpSecurityMode.None,
            Servers =
            [
                new SmtpServerOptions { Host = primary.Host, Port = primary.Port, Weight = 3, MaxConnections = 2 },
                new SmtpServerOptions { Host = fallback.Host, Port = fallback.Port, Weight = 1, MaxConnections = 2 },
            ],
        });
        var message = "Subject: x\r\n\r\nhi\r\n"u8.ToArray();
        for (var i = 0; i < 200; i++)
            await transport.SendAsync(new SmtpEnvelope("from@example.com", [$"r{i}@example.com"]), message, CancellationToken.None);
        primary.WaitForMessages(1, TimeSpan.FromSeconds(10));
        fallback.WaitForMessages(1, TimeSpan.FromSeconds(10));
        await Eventually.TrueAsync(() => primary.MessageCount + fallback.MessageCount >= 200, TimeSpan.FromSeconds(10));
        var (p, f) = (primary.MessageCount, fallback.MessageCount);
        Assert.Equal(200, p + f);
        Assert.InRange(p, 110, 190); // about three quarters

        fallback.Dispose();
        primary.ClearMessages();
        var failures = 0;
        for (var i = 0; i < 100; i++)
        {
            try { await transport.SendAsync(new SmtpEnvelope("from@example.com", [$"s{i}@example.com"]), message, CancellationToken.None); }
            catch (SmtpConnectionException) { failures++; }
        }
        await Eventually.TrueAsync(() => primary.MessageCount >= 100 - failures, TimeSpan.FromSeconds(10));
        // The first failure puts the dead relay in a cool-down; the rest go to the primary.
        Assert.InRange(failures, 1, 3);
        Assert.Equal(100 - failures, primary.MessageCount);
    }

    private static SmtpTransport Transport(SmtpOptions smtp)
        => new(Options.Create(smtp), Options.Create(new SiteOptions { BaseUrl = "https://news.example.com", ComparisonBaseUrl = "https://compare.example.com" }), TimeProvider.System);
}
