using Cronos;
using Microsoft.Extensions.DependencyInjection;
using Newsletter.Sender.Editions;
using Newsletter.Sender.Jobs;
using Newsletter.Sender.Tests.Infrastructure;
using Npgsql;

namespace Newsletter.Sender.Tests.Jobs;

public sealed class WeeklyEditionJobTests
{
    [Fact]
    public void The_default_six_field_cron_and_the_five_field_one_mean_monday_at_nine_and_a_year_field_is_refused()
    {
        var sunday = new DateTimeOffset(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);
        var monday = new DateTimeOffset(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);
        Assert.Equal(monday, WeeklyCron.Next("0 0 9 ? * MON", TimeZoneInfo.Utc, sunday));
        Assert.Equal(monday, WeeklyCron.Next("0 9 * * MON", TimeZoneInfo.Utc, sunday));
        var e = Assert.Throws<CronFormatException>(() => WeeklyCron.Parse("0 0 9 ? * MON 2027"));
        Assert.Contains("7 fields", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_run_whose_database_is_unreachable_fails_as_transient_so_Hangfire_retries_it()
    {
        using var service = await ServiceFactory.CreateAsync();
        _ = service.Services; // start the host
        // Nothing listens on the port: every connection is refused.
        await using var unreachable = NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Username=x;Timeout=2");
        var editions = ActivatorUtilities.CreateInstance<EditionService>(service.Services, unreachable);
        var job = ActivatorUtilities.CreateInstance<WeeklyEditionJob>(service.Services, editions);

        var e = await Assert.ThrowsAsync<TransientJobException>(() => job.RunAsync(null, CancellationToken.None));
        Assert.Contains("will be retried", e.Message, StringComparison.Ordinal);
        Assert.True(TransientJobException.IsTransient(e.InnerException!));
    }
}
