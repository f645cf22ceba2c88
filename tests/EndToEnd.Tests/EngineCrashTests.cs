using Newsletter.TestSupport;

namespace Newsletter.EndToEnd.Tests;

/// <summary>
/// The delivery engine against real processes: the service killed with SIGKILL mid-send and restarted, two
/// instances sharing one edition, and a relay that rejects, bounces and disappears. smtp-sink (-d) is the relay;
/// its dump files are the ground truth of what was received.
/// </summary>
[Trait("Category", "Slow")] // a real service process, real time
public sealed class EngineCrashTests
{
    [Fact]
    public async Task Killing_the_service_mid_send_loses_no_recipient_and_duplicates_at_most_what_was_in_flight()
    {
        // 12,000 readers, not more: the faults below land at most 9,000 sends in (plus what is in flight), so every
        // one of them still hits the middle of the send; readers after the last fault add sending, not proof.
        const int Recipients = 12_000;
        using var sink = SmtpSink.Start(new SmtpSinkOptions { Backlog = 1000 });
        await using var scenario = await EngineScenario.CreateAsync(Recipients);
        var settings = scenario.Settings(sink.Port, "crash");
        var service = await scenario.StartAsync(settings);
        await EngineScenario.PostComparisonAsync(service);
        var edition = await EngineScenario.SendNowAsync(service);

        var inFlightAtKills = 0L;
        var random = new Random(20261122);
        for (var kill = 0; kill < 3; kill++)
        {
            // Let it send for a random moment, then SIGKILL: no shutdown, no cleanup.
            var target = await scenario.ScalarAsync<long>("select count(*) from deliveries where state = 'sent'") + random.Next(500, 3000);
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (await scenario.ScalarAsync<long>("select count(*) from deliveries where state = 'sent'") < target && DateTime.UtcNow < deadline)
                await Task.Delay(50);
            service.Kill();
            Assert.True(await scenario.WaitForSessionsGoneAsync("crash", TimeSpan.FromSeconds(30)), "the killed instance's sessions did not end");
            // What the dead process had claimed and not recorded is exactly what may have reached the relay twice.
            inFlightAtKills += await scenario.ScalarAsync<long>("select count(*) from deliveries where state = 'sending'");
            service = await scenario.StartAsync(settings);
        }

        Assert.True(await scenario.WaitForEditionAsync(edition, "sent", TimeSpan.FromMinutes(4)), "the edition did not finish:\n" + service.Output);
        var received = EngineScenario.CountByRecipient([sink.DumpDirectory]);
        Assert.Equal(Recipients, received.Count);
        var duplicates = received.Values.Sum(c => c - 1);
        Assert.True(duplicates <= inFlightAtKills, $"{duplicates} duplicates, but only {inFlightAtKills} deliveries were in flight at the kills");
        Assert.Equal(0L, await scenario.ScalarAsync<long>("select count(*) from deliveries where state <> 'sent'"));
    }

    [Fact]
    public async Task Two_instances_share_an_edition_and_one_finishes_it_when_the_other_dies()
    {
        const int Recipients = 6_000;
        using var sink = SmtpSink.Start(new SmtpSinkOptions { Backlog = 1000 });
        await using var scenario = await EngineScenario.CreateAsync(Recipients);
        var a = await scenario.StartAsync(scenario.Settings(sink.Port, "instance-a"));
        var b = await scenario.StartAsync(scenario.Settings(sink.Port, "instance-b"));
        await EngineScenario.PostComparisonAsync(a);
        var edition = await EngineScenario.SendNowAsync(a);

        // Both send: wait until each has recorded deliveries of its own, then kill A.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline && (
                   await scenario.ScalarAsync<long>("select count(*) from deliveries where state = 'sent' and claimed_by = 'instance-a'") < 200 ||
                   await scenario.ScalarAsync<long>("select count(*) from deliveries where state = 'sent' and claimed_by = 'instance-b'") < 200))
            await Task.Delay(50);
        Assert.True(await scenario.ScalarAsync<long>("select count(*) from deliveries where state <> 'sent'") > 0, "the edition finished before A could be killed");
        a.Kill();
        Assert.True(await scenario.WaitForSessionsGoneAsync("instance-a", TimeSpan.FromSeconds(30)), "A's sessions did not end");
        var inFlight = await scenario.ScalarAsync<long>("select count(*) from deliveries where state = 'sending' and claimed_by = 'instance-a'");

        Assert.True(await scenario.WaitForEditionAsync(edition, "sent", TimeSpan.FromMinutes(2)), "B did not finish the edition:\n" + b.Output);
        Assert.True(await scenario.ScalarAsync<long>("select count(*) from deliveries where claimed_by = 'instance-a'") >= 200);
        Assert.True(await scenario.ScalarAsync<long>("select count(*) from deliveries where claimed_by = 'instance-b'") >= 200);
        var received = EngineScenario.CountByRecipient([sink.DumpDirectory]);
        Assert.Equal(Recipients, received.Count);
        Assert.True(received.Values.Sum(c => c - 1) <= inFlight, $"duplicates beyond the {inFlight} in flight at the kill");
    }

    [Fact]
    public async Task A_faulty_relay_defers_bounces_pauses_and_resumes_and_nothing_is_lost()
    {
        const int Recipients = 600;
        await using var scenario = await EngineScenario.CreateAsync(Recipients);

        // Phase 1: the relay soft-rejects every recipient (4xx): deliveries are deferred, and after 30 failures in
        // a row the edition pauses itself instead of burning through the list.
        var sink = SmtpSink.Start(new SmtpSinkOptions { SoftReject = "rcpt", Backlog = 500 });
        var port = sink.Port;
        var settings = scenario.Settings(port, "faulty");
        settings["Delivery__PauseAfterConsecutiveFailures"] = "30";
        settings["Delivery__ProbeInterval"] = "00:00:02";
        settings["Logging__LogLevel__Newsletter.Sender.Editions"] = "Information";
        var service = await scenario.StartAsync(settings);
        await EngineScenario.PostComparisonAsync(service);
        var edition = await EngineScenario.SendNowAsync(service);
        Assert.True(await scenario.WaitForEditionAsync(edition, "paused", TimeSpan.FromSeconds(60)), "the edition did not pause:\n" + service.Output);
        Assert.Contains("relay failing", await scenario.ScalarAsync<string>($"select reason from editions where id = {edition}"), StringComparison.Ordinal);
        Assert.True(await scenario.ScalarAsync<long>("select count(*) from deliveries where state = 'deferred'") >= 30);
        Assert.Equal(0L, await scenario.ScalarAsync<long>("select count(*) from deliveries where state = 'sent'"));

        // Phase 2: the relay is stopped: the probe fails, the edition stays paused.
        var probesFailed = Occurrences(service.Output, "relay probe failed");
        sink.Dispose();
        // Two more failed probes: the relay is really gone, and the edition had the chance to resume and did not.
        Assert.True(await Eventually.TrueAsync(() => Occurrences(service.Output, "relay probe failed") >= probesFailed + 2, TimeSpan.FromSeconds(60)),
            "the probe did not fail:\n" + service.Output);
        Assert.Equal("paused", await scenario.ScalarAsync<string>($"select state from editions where id = {edition}"));

        // Phase 3: the relay comes back hard-rejecting recipients (5xx): the probe resumes the edition; what is sent
        // now fails permanently and its subscribers are bounced.
        sink = SmtpSink.Start(new SmtpSinkOptions { Port = port, HardReject = "rcpt", HardRejectReply = "550 5.1.1 No such user", Backlog = 500 });
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline && await scenario.ScalarAsync<long>("select count(*) from deliveries where state = 'failed'") < 50)
            await Task.Delay(20);
        sink.Dispose();

        // Phase 4: a healthy relay: everything left is delivered.
        sink = SmtpSink.Start(new SmtpSinkOptions { Port = port, Backlog = 500 });
        try
        {
            Assert.True(await scenario.WaitForEditionAsync(edition, "sent", TimeSpan.FromMinutes(3)), "the edition did not finish:\n" + service.Output);
            var failed = await scenario.ScalarAsync<long>("select count(*) from deliveries where state = 'failed'");
            var bounced = await scenario.ScalarAsync<long>("select count(*) from subscribers where status = 'bounced'");
            Assert.True(failed >= 50);
            Assert.Equal(failed, bounced);
            Assert.Equal(failed, await scenario.ScalarAsync<long>(
                "select count(*) from deliveries d join subscribers s on s.id = d.subscriber_id where d.state = 'failed' and s.status = 'bounced' and d.last_reply like '550%'"));
            var received = EngineScenario.CountByRecipient([sink.DumpDirectory]);
            // Every recipient either received the edition or is recorded as a hard bounce: nobody is lost.
            Assert.Equal(Recipients - failed, received.Count);
            Assert.Equal(Recipients, await scenario.ScalarAsync<long>("select count(*) from deliveries where state in ('sent', 'failed')"));
        }
        finally
        {
            sink.Dispose();
        }
    }

    private static int Occurrences(string text, string value)
    {
        var count = 0;
        for (var i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + value.Length, StringComparison.Ordinal)) count++;
        return count;
    }
}
