using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Newsletter.Sender.Tests.Infrastructure;

namespace Newsletter.Sender.Tests.Public;

public sealed class HealthTests
{
    [Fact]
    public async Task Healthz_answers_ok_when_the_database_answers()
    {
        using var service = await ServiceFactory.CreateAsync();
        using var client = service.CreateAnonymousClient();

        using var response = await client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Without_a_database_healthz_answers_503_database_unavailable_and_only_the_log_has_the_reason()
    {
        // Port 1 refuses connections: the exception names the host and port, which an anonymous caller must not see.
        using var service = await ServiceFactory.CreateAsync(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Newsletter"] = "Host=127.0.0.1;Port=1;Username=nobody;Database=none;Timeout=2;Pooling=false",
            ["Service:MigrateOnStart"] = "false",
            ["Service:Role"] = "Web",
        });
        var logs = new CapturedLogs();
        using var host = service.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddLogging(l => l.AddProvider(logs))));
        using var client = host.CreateClient(new() { BaseAddress = new Uri("https://news.example.com") });

        using var response = await client.GetAsync("/healthz");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("database unavailable", body, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1", body, StringComparison.Ordinal);
        Assert.DoesNotContain("Failed to connect", body, StringComparison.Ordinal);
        Assert.DoesNotContain("refused", body, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(logs.Lines, l => l.Contains("database is unavailable", StringComparison.Ordinal) && l.Contains("127.0.0.1", StringComparison.Ordinal));
    }
}
