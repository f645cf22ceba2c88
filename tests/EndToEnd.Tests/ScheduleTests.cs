using Npgsql;
using Newsletter.TestSupport;

namespace Newsletter.EndToEnd.Tests;

/// <summary>The weekly schedule as a Hangfire recurring job, clustered on PostgreSQL, with two real service processes.</summary>
[Trait("Category", "Slow")] // a real service process, real time
public sealed class ScheduleTests
{
    [Fact]
    public async Task A_clustered_schedule_fires_once_per_slot_across_two_instances()
    {
        using var sink = SmtpSink.Start();
        await using var scenario = await EngineScenario.CreateAsync(20);
        // Every 3 seconds instead of every Monday (Hangfire takes a seconds field first), polled every second, so the
        // test sees several slots.
        Dictionary<string, string?> Settings(string name)
        {
            var s = scenario.Settings(sink.Port, name);
            s["Schedule__Enabled"] = "true";
            s["Schedule__Cron"] = "*/3 * * * * *";
            s["Schedule__PollInterval"] = "00:00:01";
            return s;
        }
        var a = await scenario.StartAsync(Settings("scheduler-a"));
        var b = await scenario.StartAsync(Settings("scheduler-b"));
        await EngineScenario.PostComparisonAsync(a);

        // Slots fired before the comparison arrived are skipped; wait for the slot that took it, one slot after it,
        // at least three in all, and both instances registered as Hangfire servers.
        Assert.True(await Eventually.TrueAsync(async () =>
                await scenario.ScalarAsync<bool>(
                    """
                    select coalesce(count(distinct slot) >= 3
                                    and max(slot) > min(slot) filter (where state in ('sending', 'sent')), false)
                    from editions where slot is not null
                    """)
                && await scenario.ScalarAsync<long>("select count(*) from hangfire.server") == 2,
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
        Assert.Equal(2L, await scenario.ScalarAsync<long>("select count(*) from hangfire.server"));
        // Every subscriber got the one real edition once.
        Assert.True(await scenario.WaitForEditionAsync(
            await scenario.ScalarAsync<long>("select id from editions where slot is not null and state in ('sending', 'sent')"), "sent", TimeSpan.FromSeconds(30)));
        var received = EngineScenario.CountByRecipient([sink.DumpDirectory]);
        Assert.Equal(20, received.Count);
        Assert.All(received.Values, c => Assert.Equal(1, c));
    }
}

/// <summary>Every instance down at the scheduled time: the missed send happens at start-up, unless it is too late.</summary>
[Trait("Category", "Slow")] // a real service process, real time
public sealed class MisfireTests
{
    private static readonly string[] SendingOrSent = ["sending", "sent"];

    [Theory]
    [InlineData(2, "sending")]
    [InlineData(10, "skipped")]
    public async Task A_send_missed_while_every_instance_was_down_happens_at_start_up_unless_too_late(int hoursLate, string expected)
    {
        using var sink = SmtpSink.Start();
        await using var scenario = await EngineScenario.CreateAsync(5);
        // The missed slot, and a daily schedule at that time of day: no other slot falls between it and now.
        var now = DateTimeOffset.UtcNow;
        var missed = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero).AddHours(-hoursLate);
        var settings = scenario.Settings(sink.Port, "misfire");
        settings["Schedule__Enabled"] = "true";
        settings["Schedule__Cron"] = $"{missed.Minute} {missed.Hour} * * *";
        settings["Schedule__MaxLateness"] = "06:00:00";
        settings["Schedule__PollInterval"] = "00:00:01";
        var service = await scenario.StartAsync(settings);
        await EngineScenario.PostComparisonAsync(service);
        Assert.True(await Eventually.TrueAsync(async () => await scenario.ScalarAsync<long>(
                "select count(*) from hangfire.hash where key = 'recurring-job:weekly-edition' and field = 'NextExecution'") == 1,
            TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(100)), service.Output);
        service.Kill();

        // While nothing runs, the slot passes: the stored job last ran before it and is due since then.
        static string Millis(DateTimeOffset t) => t.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        await ExecuteAsync(scenario, "delete from hangfire.hash where key = 'recurring-job:weekly-edition' and field = 'LastExecution'");
        await ExecuteAsync(scenario, "insert into hangfire.hash (key, field, value) values ('recurring-job:weekly-edition', 'LastExecution', $1)", Millis(missed.AddMinutes(-1)));
        Assert.Equal(1, await ExecuteAsync(scenario, "update hangfire.hash set value = $1 where key = 'recurring-job:weekly-edition' and field = 'NextExecution'", Millis(missed)));
        Assert.Equal(1, await ExecuteAsync(scenario, "update hangfire.set set score = $1 where key = 'recurring-jobs' and value = 'weekly-edition'", (double)missed.ToUnixTimeSeconds()));

        var restarted = await scenario.StartAsync(settings);
        Assert.True(await Eventually.TrueAsync(async () => await scenario.ScalarAsync<long>("select count(*) from editions") > 0,
            TimeSpan.FromSeconds(40), TimeSpan.FromMilliseconds(200)), restarted.Output);

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
            Assert.Contains(state, SendingOrSent);
        }
        Assert.False(restarted.HasExited);
    }

    private static async Task<int> ExecuteAsync(EngineScenario scenario, string sql, params object[] values)
    {
        await using var command = scenario.Db.CreateCommand(sql);
        foreach (var v in values) command.Parameters.AddWithValue(v);
        return await command.ExecuteNonQueryAsync();
    }
}

/// <summary>A database outage at the scheduled time: the run waits for the database and the edition goes out once.</summary>
[Trait("Category", "Slow")] // a real service process, real time
public sealed class ScheduleOutageTests
{
    [Fact]
    public async Task The_database_down_at_the_slot_and_back_within_MaxLateness_sends_the_edition_once()
    {
        using var sink = SmtpSink.Start();
        await using var scenario = await EngineScenario.CreateAsync(5);
        await using var proxy = TcpProxy.Start(new NpgsqlConnectionStringBuilder(scenario.ConnectionString).Port);
        var settings = scenario.Settings(sink.Port, "outage");
        settings["ConnectionStrings__Newsletter"] = new NpgsqlConnectionStringBuilder(settings["ConnectionStrings__Newsletter"])
        {
            Host = "127.0.0.1", Port = proxy.Port, Timeout = 3,
        }.ConnectionString;
        settings["Schedule__Enabled"] = "true";
        settings["Schedule__Cron"] = "*/15 * * * * *"; // every 15 s: the slots before the comparison are skipped
        settings["Schedule__MaxLateness"] = "00:02:00";
        settings["Schedule__PollInterval"] = "00:00:01";
        var service = await scenario.StartAsync(settings);

        // Right after a slot fired, post the comparison: the next slot is the one that sends it.
        const string next = "select value from hangfire.hash where key = 'recurring-job:weekly-edition' and field = 'NextExecution'";
        string? first = null;
        Assert.True(await Eventually.TrueAsync(async () => (first = await ScalarOrNullAsync(scenario, next)) is not null,
            TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(100)), service.Output);
        string? second = null;
        Assert.True(await Eventually.TrueAsync(async () => (second = await ScalarOrNullAsync(scenario, next)) != first,
            TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100)), service.Output);
        var slot = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(second!, System.Globalization.CultureInfo.InvariantCulture));
        // The slot that just fired was only enqueued: its run must have recorded its (skipped) edition before the
        // comparison exists, or that run would send it before the outage.
        var fired = long.Parse(first!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(await Eventually.TrueAsync(async () => await scenario.ScalarAsync<long>(
                $"select count(*) from editions where slot >= to_timestamp({fired} / 1000.0) - interval '1 second'") > 0,
            TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100)), service.Output);
        await EngineScenario.PostComparisonAsync(service);
        Assert.True(DateTimeOffset.UtcNow < slot - TimeSpan.FromSeconds(2), "posting the comparison took until the slot");

        // From just before the slot until 15 s after it, the service cannot reach its database.
        Assert.True(await Eventually.TrueAsync(() => DateTimeOffset.UtcNow >= slot - TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(30)));
        proxy.Cut();
        Assert.True(await Eventually.TrueAsync(() => DateTimeOffset.UtcNow >= slot + TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(40)));
        Assert.Equal(0L, await scenario.ScalarAsync<long>("select count(*) from editions where state <> 'skipped'"));
        proxy.Restore();

        // The run at the slot (or, if the catch-up took longer, the next slot's) sends the comparison, once.
        Assert.True(await Eventually.TrueAsync(async () => await scenario.ScalarAsync<long>("select count(*) from editions where state = 'sent'") == 1,
            TimeSpan.FromSeconds(90), TimeSpan.FromMilliseconds(250)), service.Output);
        Assert.Equal(1L, await scenario.ScalarAsync<long>("select count(*) from editions where state <> 'skipped'"));
        Assert.True(await scenario.ScalarAsync<DateTime>("select slot from editions where state = 'sent'") >= slot.UtcDateTime);
        Assert.Equal(0L, await scenario.ScalarAsync<long>("select count(*) from editions where state = 'skipped' and reason not like 'no new comparisons%'"));
        var received = EngineScenario.CountByRecipient([sink.DumpDirectory]);
        Assert.Equal(5, received.Count);
        Assert.All(received.Values, c => Assert.Equal(1, c));
        Assert.False(service.HasExited, service.Output);
    }

    private static async Task<string?> ScalarOrNullAsync(EngineScenario scenario, string sql)
    {
        await using var command = scenario.Db.CreateCommand(sql);
        return await command.ExecuteScalarAsync() as string;
    }
}
