using Newsletter.TestSupport;

namespace Newsletter.EndToEnd.Tests;

/// <summary>The weekly schedule on Quartz.NET, clustered on PostgreSQL, with two real service processes.</summary>
public sealed class ScheduleTests
{
    [Fact]
    public async Task A_clustered_schedule_fires_once_per_slot_across_two_instances()
    {
        using var sink = SmtpSink.Start();
        await using var scenario = await EngineScenario.CreateAsync(20);
        // Every 3 seconds instead of every Monday, so the test sees several slots.
        Dictionary<string, string?> Settings(string name)
        {
            var s = scenario.Settings(sink.Port, name);
            s["Schedule__Enabled"] = "true";
            s["Schedule__Cron"] = "0/3 * * * * ?";
            return s;
        }
        var a = await scenario.StartAsync(Settings("scheduler-a"));
        var b = await scenario.StartAsync(Settings("scheduler-b"));
        await EngineScenario.PostComparisonAsync(a);

        // Slots fired before the comparison arrived are skipped; wait for the slot that took it, one slot after it,
        // at least three in all, and both instances checked in to the cluster.
        Assert.True(await Eventually.TrueAsync(async () =>
                await scenario.ScalarAsync<bool>(
                    """
                    select coalesce(count(distinct slot) >= 3
                                    and max(slot) > min(slot) filter (where state in ('sending', 'sent')), false)
                    from editions where slot is not null
                    """)
                && await scenario.ScalarAsync<long>("select count(*) from qrtz_scheduler_state") == 2,
            TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(250)), $"the slots did not fire:\n{a.Output}\n{b.Output}");

        // One statement, so one snapshot: the schedule keeps firing every 3 seconds while the test reads, and
        // counts taken by separate statements can straddle a new slot.
        long slots, distinct, started, skipped;
        await using (var command = scenario.Db.CreateCommand(
            """
            select count(*), count(distinct slot),
                   count(*) filter (where state in ('sending', 'sent')),
                   count(*) filter (where state = 'skipped' and reason like 'no new comparisons%')
            from editions where slot is not null
            """))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            Assert.True(await reader.ReadAsync());
            (slots, distinct, started, skipped) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
        }
        Assert.True(slots >= 3, $"only {slots} scheduled editions:\n{a.Output}\n{b.Output}");
        Assert.Equal(slots, distinct);
        // The first slot that saw the comparison took it; every other slot had nothing new and was skipped with the reason.
        Assert.Equal(1L, started);
        Assert.Equal(slots - 1, skipped);
        // Both instances are in the cluster.
        Assert.Equal(2L, await scenario.ScalarAsync<long>("select count(*) from qrtz_scheduler_state"));
        // Every subscriber got the one real edition once.
        Assert.True(await scenario.WaitForEditionAsync(
            await scenario.ScalarAsync<long>("select id from editions where slot is not null and state in ('sending', 'sent')"), "sent", TimeSpan.FromSeconds(30)));
        var received = EngineScenario.CountByRecipient([sink.DumpDirectory]);
        Assert.Equal(20, received.Count);
        Assert.All(received.Values, c => Assert.Equal(1, c));
    }
}

/// <summary>Every instance down at the scheduled time: the missed send happens at start-up, unless it is too late.</summary>
public sealed class MisfireTests
{
    [Theory]
    [InlineData(2, "sending")]
    [InlineData(10, "skipped")]
    public async Task A_send_missed_while_every_instance_was_down_happens_at_start_up_unless_too_late(int hoursLate, string expected)
    {
        using var sink = SmtpSink.Start();
        await using var scenario = await EngineScenario.CreateAsync(5);
        var settings = scenario.Settings(sink.Port, "misfire");
        settings["Schedule__Enabled"] = "true";
        settings["Schedule__MaxLateness"] = "06:00:00";
        var service = await scenario.StartAsync(settings);
        await EngineScenario.PostComparisonAsync(service);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline && await scenario.ScalarAsync<long>("select count(*) from qrtz_triggers") == 0) await Task.Delay(100);
        service.Kill();

        // While nothing runs, the weekly slot passes: make the stored trigger's next firing lie in the past.
        var missed = DateTimeOffset.UtcNow.AddHours(-hoursLate);
        await using (var command = scenario.Db.CreateCommand("update qrtz_triggers set next_fire_time = $1"))
        {
            command.Parameters.AddWithValue(missed.UtcTicks);
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }

        var restarted = await scenario.StartAsync(settings);
        deadline = DateTime.UtcNow.AddSeconds(40);
        while (DateTime.UtcNow < deadline && await scenario.ScalarAsync<long>("select count(*) from editions") == 0) await Task.Delay(200);

        Assert.Equal(1L, await scenario.ScalarAsync<long>("select count(*) from editions"));
        var slot = await scenario.ScalarAsync<DateTime>("select slot from editions");
        Assert.InRange((new DateTimeOffset(slot) - missed).Duration().TotalSeconds, 0, 1);
        var state = await scenario.ScalarAsync<string>("select state from editions");
        if (expected == "skipped")
        {
            Assert.Equal("skipped", state);
            Assert.StartsWith("late:", await scenario.ScalarAsync<string>("select reason from editions"), StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains(state, new[] { "sending", "sent" });
        }
        Assert.False(restarted.HasExited);
    }
}
