using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Newsletter.Subscribers.Tests.Infrastructure;
using Newsletter.TestSupport;
using static Newsletter.TestSupport.SubscriberRows;

namespace Newsletter.Subscribers.Tests.Inbound;

/// <summary>The bounce mailbox against a real IMAP server: Dovecot with a Maildir of its own, started by each test.</summary>
public sealed class BounceMailboxTests
{
    private const string Address = "bounces@news.example.com";

    private static Task<SubscriberDatabase> ServiceAsync(Dovecot dovecot, bool verp = true, string pollInterval = "00:00:00.300")
    {
        var settings = new Dictionary<string, string?>
        {
            ["Bounces:Imap:Host"] = dovecot.Host,
            ["Bounces:Imap:Port"] = dovecot.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Bounces:Imap:Security"] = "None",
            ["Bounces:Imap:Username"] = Dovecot.Username,
            ["Bounces:Imap:Password"] = Dovecot.Password,
            ["Bounces:Imap:PollInterval"] = pollInterval,
        };
        if (verp) settings["Bounces:Address"] = Address;
        return SubscriberDatabase.CreateAsync(settings);
    }

    private static VerpAddresses Verp() => new(Address, [SubscriberDatabase.UnsubscribeKey]);

    private static string MessageId(long edition, long subscriber) => $"edition-{edition}.subscriber-{subscriber}@news.example.com";

    [Fact]
    public async Task One_poll_applies_each_report_to_the_right_subscriber_and_a_second_poll_changes_nothing()
    {
        using var dovecot = new Dovecot();
        using var service = await ServiceAsync(dovecot);
        var verp = Verp();
        var edition = await InsertEditionAsync(service);
        var ids = new Dictionary<string, long>();
        foreach (var name in (string[])["dsn", "gmail", "outlook", "yahoo", "arf", "vacation", "forged", "delayed"])
            ids[name] = await InsertAsync(service, $"{name}@example.org");
        string To(string name) => verp.ForEdition(edition, ids[name]);
        string Id(string name) => MessageId(edition, ids[name]);

        dovecot.Deliver("INBOX", InboundSamples.Dsn(To("dsn"), "dsn@example.org", Id("dsn")));
        dovecot.Deliver("INBOX", InboundSamples.Fill("gmail-address-not-found", To("gmail"), "gmail@example.org", Id("gmail")));
        dovecot.Deliver("INBOX", InboundSamples.Fill("outlook-undeliverable", To("outlook"), "outlook@example.org", Id("outlook")));
        dovecot.Deliver("INBOX", InboundSamples.Fill("yahoo-failure-notice", To("yahoo"), "yahoo@example.org", Id("yahoo")));
        dovecot.Deliver("INBOX", InboundSamples.Fill("arf-complaint", To("arf"), "arf@example.org", Id("arf")));
        dovecot.Deliver("INBOX", InboundSamples.Fill("vacation-auto-reply", To("vacation"), "vacation@example.org", Id("vacation")));
        dovecot.Deliver("INBOX", InboundSamples.Dsn(To("forged").Replace("+e", "+e1", StringComparison.Ordinal), "forged@example.org", Id("forged")));
        dovecot.Deliver("INBOX", InboundSamples.Dsn(To("delayed"), "delayed@example.org", Id("delayed"), delayed: true));
        var mailbox = service.Services.GetRequiredService<BounceMailbox>();

        var first = await mailbox.PollOnceAsync(CancellationToken.None);

        Assert.Equal(8, first.Read);
        foreach (var name in (string[])["dsn", "gmail", "outlook", "yahoo"])
            Assert.Equal("bounced", await StatusAsync(service, $"{name}@example.org"));
        Assert.Equal("complained", await StatusAsync(service, "arf@example.org"));
        Assert.Equal("confirmed", await StatusAsync(service, "vacation@example.org"));
        Assert.Equal("confirmed", await StatusAsync(service, "forged@example.org"));
        Assert.Equal("confirmed", await StatusAsync(service, "delayed@example.org"));
        Assert.Equal(1, await ScalarAsync<int>(service, "select soft_bounces from subscribers where id = @id", new { id = ids["delayed"] }));
        Assert.Equal(0L, await CountAsync(service, "bounces", $"subscriber_id in ({ids["vacation"]}, {ids["forged"]})"));
        Assert.Equal(4L, await CountAsync(service, "bounces", $"source = 'mailbox' and kind = 'hard' and edition_id = {edition}"));
        Assert.Equal(1L, await CountAsync(service, "bounces", $"source = 'mailbox' and kind = 'complaint' and subscriber_id = {ids["arf"]}"));
        Assert.Equal(1L, await CountAsync(service, "subscriber_events", $"subscriber_id = {ids["dsn"]} and cause = 'hard bounce (mailbox)' and detail like '%5.1.1%'"));
        Assert.Equal(0, dovecot.Count("INBOX"));
        Assert.Equal(6, dovecot.Count("Processed"));
        Assert.Equal(2, dovecot.Count("Unrecognised"));
        Assert.Contains(service.Logs.Lines, l => l.Level == LogLevel.Warning && l.Message.Contains("does not verify", StringComparison.Ordinal));
        Assert.NotNull((await BounceMailbox.StatusAsync(service.DataSource, CancellationToken.None))?.LastAnsweredAt);

        // The same reports again (a move lost to a crash, or someone copying them back): nothing counts twice.
        foreach (var message in dovecot.Messages("Processed")) dovecot.Deliver("INBOX", message);
        var second = await mailbox.PollOnceAsync(CancellationToken.None);

        Assert.Equal(6, second.Count(InboundOutcome.Duplicate));
        Assert.Equal(1, await ScalarAsync<int>(service, "select soft_bounces from subscribers where id = @id", new { id = ids["delayed"] }));
        Assert.Equal(6L, await CountAsync(service, "bounces"));
        Assert.Equal(12, dovecot.Count("Processed"));
        Assert.Equal(0, dovecot.Count("INBOX"));
        var third = await mailbox.PollOnceAsync(CancellationToken.None);
        Assert.Equal(0, third.Read);
    }

    [Fact]
    public async Task Without_verp_a_report_is_attributed_by_the_original_message_id_only_when_its_recipient_matches()
    {
        using var dovecot = new Dovecot();
        using var service = await ServiceAsync(dovecot, verp: false);
        var edition = await InsertEditionAsync(service);
        var gone = await InsertAsync(service, "gone@example.org");
        var other = await InsertAsync(service, "other@example.org");
        dovecot.Deliver("INBOX", InboundSamples.Dsn("verdicts@news.example.com", "gone@example.org", MessageId(edition, gone)));
        // Someone else's address with this subscriber's Message-ID: a guess, not a report about them.
        dovecot.Deliver("INBOX", InboundSamples.Dsn("verdicts@news.example.com", "stranger@example.org", MessageId(edition, other)));

        var poll = await service.Services.GetRequiredService<BounceMailbox>().PollOnceAsync(CancellationToken.None);

        Assert.Equal(1, poll.Count(InboundOutcome.Applied));
        Assert.Equal(1, poll.Count(InboundOutcome.Unknown));
        Assert.Equal("bounced", await StatusAsync(service, "gone@example.org"));
        Assert.Equal("confirmed", await StatusAsync(service, "other@example.org"));
        Assert.Equal(2, dovecot.Count("Processed"));
    }

    [Fact]
    public async Task With_the_server_stopped_mid_run_the_poller_logs_retries_and_catches_up()
    {
        using var dovecot = new Dovecot();
        using var service = await ServiceAsync(dovecot);
        var verp = Verp();
        var edition = await InsertEditionAsync(service);
        var early = await InsertAsync(service, "early@example.org");
        var late = await InsertAsync(service, "late@example.org");
        var mailbox = service.Services.GetRequiredService<BounceMailbox>();
        using var stop = new CancellationTokenSource();
        var run = mailbox.RunAsync(stop.Token);
        try
        {
            dovecot.Deliver("INBOX", InboundSamples.Dsn(verp.ForEdition(edition, early), "early@example.org", MessageId(edition, early)));
            Assert.True(await Eventually.TrueAsync(async () => await StatusAsync(service, "early@example.org") == "bounced", TimeSpan.FromSeconds(15)));

            dovecot.Stop();
            dovecot.Deliver("INBOX", InboundSamples.Dsn(verp.ForEdition(edition, late), "late@example.org", MessageId(edition, late)));
            Assert.True(await Eventually.TrueAsync(() => service.Logs.Lines.Any(l => l.Level == LogLevel.Warning && l.Message.Contains("retrying", StringComparison.Ordinal)),
                TimeSpan.FromSeconds(15)), string.Join("\n", service.Logs.Lines));
            Assert.Equal("confirmed", await StatusAsync(service, "late@example.org"));
            Assert.NotNull((await BounceMailbox.StatusAsync(service.DataSource, CancellationToken.None))?.LastError);

            dovecot.Start();
            Assert.True(await Eventually.TrueAsync(async () => await StatusAsync(service, "late@example.org") == "bounced", TimeSpan.FromSeconds(15)),
                string.Join("\n", service.Logs.Lines) + dovecot.Log);
            Assert.True(await Eventually.TrueAsync(() => dovecot.Count("Processed") == 2, TimeSpan.FromSeconds(10)));
            Assert.Equal(2L, await CountAsync(service, "bounces"));
        }
        finally
        {
            await stop.CancelAsync();
            await run;
        }
    }
}
