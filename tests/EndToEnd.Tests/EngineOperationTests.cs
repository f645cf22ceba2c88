using System.Net.Http.Json;
using System.Text.Json;
using Newsletter.TestSupport;
using Xunit.Abstractions;

namespace Newsletter.EndToEnd.Tests;

/// <summary>
/// The delivery engine under what operators do every day: deploys (SIGTERM), database restarts, a throttled relay, a
/// relay that refuses all mail, content that cannot be built. Real processes; smtp-sink's dumps are the ground truth.
/// </summary>
[Trait("Category", "Slow")] // a real service process, real time
public sealed class EngineOperationTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Stopping_the_service_gracefully_mid_send_delivers_every_recipient_exactly_once()
    {
        // 12,000 readers, not more: the faults below land at most 9,000 sends in (plus what is in flight), so every
        // one of them still hits the middle of the send; readers after the last fault add sending, not proof.
        const int Recipients = 12_000;
        using var sink = SmtpSink.Start(new SmtpSinkOptions { Backlog = 1000 });
        await using var scenario = await EngineScenario.CreateAsync(Recipients);
        var settings = scenario.Settings(sink.Port, "graceful");
        settings["Delivery__ShutdownTimeout"] = "00:00:20";
        var service = await scenario.StartAsync(settings);
        await EngineScenario.PostComparisonAsync(service);
        var edition = await EngineScenario.SendNowAsync(service);

        var random = new Random(20261201);
        for (var stop = 0; stop < 3; stop++)
        {
            var target = await SentAsync(scenario) + random.Next(500, 3000);
            await Eventually.TrueAsync(async () => await SentAsync(scenario) >= target, TimeSpan.FromSeconds(60));
            Assert.True(await service.TerminateAsync(TimeSpan.FromSeconds(30)), "the service did not stop within 30 s of SIGTERM:\n" + service.Output);
            Assert.True(await scenario.WaitForSessionsGoneAsync("graceful", TimeSpan.FromSeconds(30)), "the stopped instance's sessions did not end");
            // Every outcome recorded, every claimed-but-unstarted row released: nothing waits for a lease.
            Assert.Equal(0L, await scenario.ScalarAsync<long>("select count(*) from deliveries where state = 'sending'"));
            service = await scenario.StartAsync(settings);
        }

        Assert.True(await scenario.WaitForEditionAsync(edition, "sent", TimeSpan.FromMinutes(4)), "the edition did not finish:\n" + service.Output);
        var received = EngineScenario.CountByRecipient([sink.DumpDirectory]);
        Assert.Equal(Recipients, received.Count);
        var twice = received.Where(r => r.Value > 1).Select(r => r.Key).Take(5).ToList();
        Assert.True(twice.Count == 0, $"{received.Values.Sum(c => c - 1)} duplicates, e.g. {string.Join(", ", twice)}");
        Assert.Equal(0L, await scenario.ScalarAsync<long>("select count(*) from deliveries where state <> 'sent'"));
    }

    [Fact]
    public async Task Restarting_the_database_mid_send_loses_nobody_and_the_service_keeps_running()
    {
        // 12,000 readers, not more: the faults below land at most 9,000 sends in (plus what is in flight), so every
        // one of them still hits the middle of the send; readers after the last fault add sending, not proof.
        const int Recipients = 12_000;
        await using var cluster = await PrivateCluster.StartAsync();
        using var sink = SmtpSink.Start(new SmtpSinkOptions { Backlog = 1000 });
        await using var scenario = await EngineScenario.CreateAsync(Recipients, await cluster.CreateMigratedDatabaseAsync());
        var settings = scenario.Settings(sink.Port, "restart");
        // A lease far longer than a restart: a copy sent twice can only come from an outcome that was dropped.
        settings["Delivery__ClaimLease"] = "00:01:00";
        var service = await scenario.StartAsync(settings);
        await EngineScenario.PostComparisonAsync(service);
        var edition = await EngineScenario.SendNowAsync(service);

        var inFlight = 0L;
        var random = new Random(20261202);
        for (var restart = 0; restart < 2; restart++)
        {
            var target = await SentAsync(scenario) + random.Next(1000, 4000);
            await Eventually.TrueAsync(async () => await SentAsync(scenario) >= target, TimeSpan.FromSeconds(60));
            // Claimed and not yet recorded just before the restart: what may reach the relay twice at most.
            inFlight += await scenario.ScalarAsync<long>("select count(*) from deliveries where state = 'sending'");
            await cluster.RestartAsync();
            scenario.Db.Clear();
        }

        Assert.True(await scenario.WaitForEditionAsync(edition, "sent", TimeSpan.FromMinutes(4)), "the edition did not finish:\n" + service.Output);
        Assert.False(service.HasExited, "the service stopped:\n" + service.Output);
        using (var http = new HttpClient())
        using (var health = await http.GetAsync(new Uri(service.BaseUrl, "/healthz")))
            Assert.True(health.IsSuccessStatusCode, "healthz after the restarts: " + health.StatusCode);
        var received = EngineScenario.CountByRecipient([sink.DumpDirectory]);
        Assert.Equal(Recipients, received.Count);
        var duplicates = received.Values.Sum(c => c - 1);
        output.WriteLine($"database restarts: {duplicates} duplicates, {inFlight} deliveries in flight at the restarts");
        Assert.True(duplicates <= inFlight, $"{duplicates} duplicates, but only {inFlight} deliveries were in flight at the restarts");
        // What the relay accepted before a restart is recorded once the database is back, never sent again.
        Assert.Equal(0, duplicates);
        Assert.Equal(0L, await scenario.ScalarAsync<long>("select count(*) from deliveries where state <> 'sent'"));
    }

    [Fact]
    public async Task A_batch_slower_than_the_claim_lease_keeps_its_claim_and_nobody_gets_the_edition_twice()
    {
        const int Recipients = 70;
        using var sink = SmtpSink.Start();
        await using var scenario = await EngineScenario.CreateAsync(Recipients);
        // 50 a batch at 2 a second: 25 s and more per batch, five times the scenario's 5 s lease.
        Dictionary<string, string?> Throttled(string instance)
        {
            var settings = scenario.Settings(sink.Port, instance);
            settings["Smtp__MaxMessagesPerSecond"] = "2";
            return settings;
        }
        var service = await scenario.StartAsync(Throttled("throttled"));
        await EngineScenario.PostComparisonAsync(service);
        var edition = await EngineScenario.SendNowAsync(service);

        // A second instance joins while the first one's batches are in flight, past their lease: it takes back
        // expired claims as soon as it starts (and every 15 s), so it would send any batch whose claim was not renewed.
        Assert.True(await Eventually.TrueAsync(async () => await scenario.ScalarAsync<long>(
            "select count(*) from deliveries where state = 'sending' and claimed_by = 'throttled'") > 0, TimeSpan.FromSeconds(60)),
            "the first instance claimed nothing:\n" + service.Output);
        var second = await scenario.StartAsync(Throttled("second"));

        Assert.True(await scenario.WaitForEditionAsync(edition, "sent", TimeSpan.FromMinutes(2)), "the edition did not finish:\n" + service.Output + second.Output);
        var received = EngineScenario.CountByRecipient([sink.DumpDirectory]);
        Assert.Equal(Recipients, received.Count);
        Assert.Equal(0, received.Values.Sum(c => c - 1));
        Assert.DoesNotContain("whose claim expired", service.Output + second.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_relay_refusing_all_mail_bounces_nobody_and_the_edition_resumes_by_itself_until_it_is_stale()
    {
        const int Recipients = 40;
        await using var scenario = await EngineScenario.CreateAsync(Recipients);
        var refusing = new SmtpSinkOptions { SoftReject = "mail", SoftRejectReply = "451 4.3.0 Try again later" };
        var sink = SmtpSink.Start(refusing);
        var port = sink.Port;
        var settings = scenario.Settings(port, "outage");
        settings["Delivery__PauseAfterConsecutiveFailures"] = "10";
        // The window counts from the edition's start, before its first render: on a loaded machine the first attempt
        // (after compiling the email template) can come 20 s later, so the window leaves room for that.
        settings["Delivery__RetryWindow"] = "00:00:40";
        settings["Delivery__MaxStaleness"] = "00:05:00";
        settings["Subscribers__SoftBounceLimit"] = "1";
        settings["Logging__LogLevel__Newsletter.Sender.Editions"] = "Information";
        var service = await scenario.StartAsync(settings);
        await EngineScenario.PostComparisonAsync(service);
        var first = await EngineScenario.SendNowAsync(service);
        try
        {
            // The relay answers EHLO but refuses every MAIL: the edition pauses, and the probe (MAIL, RCPT, RSET) keeps
            // failing, so it stays paused past the retry window.
            Assert.True(await scenario.WaitForEditionAsync(first, "paused", TimeSpan.FromSeconds(60)), "the edition did not pause:\n" + service.Output);
            Assert.True(await Eventually.TrueAsync(async () => await scenario.ScalarAsync<bool>(
                    $"select now() - paused_at > interval '42 seconds' from editions where id = {first}"), TimeSpan.FromSeconds(80)));
            Assert.True(await Eventually.TrueAsync(() => service.Output.Contains("relay probe failed", StringComparison.Ordinal), TimeSpan.FromSeconds(30)),
                "the probe did not fail:\n" + service.Output);
            Assert.Equal("paused", await scenario.ScalarAsync<string>($"select state from editions where id = {first}"));
            await AssertNobodyBouncedAsync(scenario, Recipients);
            Assert.True(0L == await scenario.ScalarAsync<long>("select count(*) from deliveries where state in ('sent', 'failed')"),
                await scenario.ScalarAsync<string>("select string_agg(distinct state || ': ' || coalesce(last_reply, ''), '; ') from deliveries") + "\n" + service.Output);

            // The relay takes mail again within Delivery__MaxStaleness: the edition resumes by itself and everyone gets it.
            sink.Dispose();
            sink = SmtpSink.Start(new SmtpSinkOptions { Port = port });
            Assert.True(await scenario.WaitForEditionAsync(first, "sent", TimeSpan.FromSeconds(90)), "the edition did not resume and finish:\n" + service.Output);
            Assert.Equal(Recipients, EngineScenario.CountByRecipient([sink.DumpDirectory]).Count);
            await AssertNobodyBouncedAsync(scenario, Recipients);

            // A second outage outlasts Delivery__MaxStaleness: the edition stays paused as "stale" for an admin to decide.
            await service.DisposeAsync();
            sink.Dispose();
            sink = SmtpSink.Start(new SmtpSinkOptions { Port = port, SoftReject = refusing.SoftReject, SoftRejectReply = refusing.SoftRejectReply });
            settings["Delivery__MaxStaleness"] = "00:00:05";
            service = await scenario.StartAsync(settings);
            await EngineScenario.PostComparisonAsync(service, "02-whisperline-3-vs-echoscribe-pro.json");
            var second = await EngineScenario.SendNowAsync(service);
            Assert.True(await scenario.WaitForEditionAsync(second, "paused", TimeSpan.FromSeconds(60)), "the second edition did not pause:\n" + service.Output);
            Assert.True(await Eventually.TrueAsync(async () => await scenario.ScalarAsync<bool>(
                    $"select coalesce(reason like 'stale%', false) and pause_cause = 'stale' from editions where id = {second}"), TimeSpan.FromSeconds(60)),
                "the edition was not marked stale:\n" + service.Output);
            sink.Dispose();
            sink = SmtpSink.Start(new SmtpSinkOptions { Port = port });
            Assert.Equal("paused", await scenario.ScalarAsync<string>($"select state from editions where id = {second}"));
            await AssertNobodyBouncedAsync(scenario, Recipients);
            using (var api = EngineScenario.Api(service))
            using (var resume = await api.PostAsync($"/api/editions/{second}/resume", null))
                Assert.True(resume.IsSuccessStatusCode, await resume.Content.ReadAsStringAsync());
            Assert.True(await scenario.WaitForEditionAsync(second, "sent", TimeSpan.FromSeconds(90)), "the resumed edition did not finish:\n" + service.Output);
            await AssertNobodyBouncedAsync(scenario, Recipients);
        }
        finally
        {
            sink.Dispose();
        }
    }

    [Fact]
    public async Task An_edition_that_delivers_nothing_ends_failed_with_the_reason_and_bounces_nobody()
    {
        const int Recipients = 20;
        using var sink = SmtpSink.Start(new SmtpSinkOptions { HardReject = "mail", HardRejectReply = "554 5.7.1 Relay access denied" });
        await using var scenario = await EngineScenario.CreateAsync(Recipients);
        var settings = scenario.Settings(sink.Port, "refused");
        settings["Delivery__PauseAfterConsecutiveFailures"] = "1000";
        var service = await scenario.StartAsync(settings);
        await EngineScenario.PostComparisonAsync(service);
        var edition = await EngineScenario.SendNowAsync(service);

        Assert.True(await scenario.WaitForEditionAsync(edition, "failed", TimeSpan.FromSeconds(60)), "the edition did not end failed:\n" + service.Output);
        using var api = EngineScenario.Api(service);
        var summary = await api.GetFromJsonAsync<JsonElement>($"/api/editions/{edition}");
        Assert.Equal("failed", summary.GetProperty("state").GetString());
        var reason = summary.GetProperty("reason").GetString()!;
        Assert.Contains("nothing delivered", reason, StringComparison.Ordinal);
        Assert.Contains("554", reason, StringComparison.Ordinal);
        await AssertNobodyBouncedAsync(scenario, Recipients);
    }

    [Fact]
    public async Task An_edition_whose_content_cannot_be_built_pauses_with_the_reason_and_the_next_one_is_sent()
    {
        const int Recipients = 30;
        using var sink = SmtpSink.Start();
        await using var scenario = await EngineScenario.CreateAsync(Recipients);
        var settings = scenario.Settings(sink.Port, "broken");
        // A lease longer than the test: rows left in 'sending' could only leave it by being released, not taken back.
        settings["Delivery__ClaimLease"] = "00:05:00";
        var service = await scenario.StartAsync(settings);
        await EngineScenario.PostComparisonAsync(service);
        // Past ingestion (which refuses control characters): a title no mail header can carry.
        await scenario.ScalarAsync<int>(
            """
            with c as (update comparisons set title = title || E'\u0001', document = jsonb_set(document, '{title}', to_jsonb((document->>'title') || E'\u0001')) returning 1)
            select count(*)::int from c
            """);
        var broken = await EngineScenario.SendNowAsync(service);

        Assert.True(await scenario.WaitForEditionAsync(broken, "paused", TimeSpan.FromSeconds(60)), "the edition did not pause:\n" + service.Output);
        using var api = EngineScenario.Api(service);
        var summary = await api.GetFromJsonAsync<JsonElement>($"/api/editions/{broken}");
        var reason = summary.GetProperty("reason").GetString()!;
        Assert.StartsWith("content cannot be built: ", reason, StringComparison.Ordinal);
        Assert.Contains("U+0001", reason, StringComparison.Ordinal);
        // Every loop that claimed a batch of it before the pause releases its rows once it sees the failure.
        Assert.True(await Eventually.TrueAsync(
            async () => await scenario.ScalarAsync<long>($"select count(*) from deliveries where edition_id = {broken} and state = 'sending'") == 0,
            TimeSpan.FromSeconds(20)), "rows of the broken edition stayed in 'sending'");

        await EngineScenario.PostComparisonAsync(service, "02-whisperline-3-vs-echoscribe-pro.json");
        var next = await EngineScenario.SendNowAsync(service);
        Assert.True(await scenario.WaitForEditionAsync(next, "sent", TimeSpan.FromSeconds(60)), "the next edition was not sent:\n" + service.Output);
        Assert.Equal(Recipients, EngineScenario.CountByRecipient([sink.DumpDirectory]).Count);
        Assert.Equal("paused", await scenario.ScalarAsync<string>($"select state from editions where id = {broken}"));
    }

    private static async Task AssertNobodyBouncedAsync(EngineScenario scenario, int recipients)
    {
        Assert.Equal((long)recipients, await scenario.ScalarAsync<long>("select count(*) from subscribers where status = 'confirmed' and soft_bounces = 0"));
        Assert.Equal(0L, await scenario.ScalarAsync<long>("select count(*) from subscriber_events"));
    }

    private static Task<long> SentAsync(EngineScenario scenario) => scenario.ScalarAsync<long>("select count(*) from deliveries where state = 'sent'");
}
