using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Dapper;
using Newsletter.TestSupport;
using Npgsql;

namespace Newsletter.EndToEnd.Tests.Monitoring;

/// <summary>
/// The service's <c>/metrics</c> scraped by a real Prometheus (Debian's), on the separate loopback metrics port and
/// with the bearer token, while an edition goes out through Postfix's smtp-sink; read back through Prometheus's API.
/// </summary>
[Trait("Category", "Slow")] // a real service process, real time
public sealed class PrometheusScrapeTests
{
    private const int Recipients = 12;
    private const string Token = "metrics-token-0123456789-abcdefghijklmnopqrstuvwxyz";

    [Fact]
    public async Task Prometheus_scrapes_the_metrics_port_and_sees_every_message_of_an_edition_sent()
    {
        using var sink = SmtpSink.Start(new SmtpSinkOptions { Dump = false });
        var connectionString = await TestDatabases.CreateAsync();
        var port = ServiceProcess.FreePort();
        var metricsPort = ServiceProcess.FreePort();
        var environment = ServiceProcess.Settings(connectionString, port);
        environment["Smtp__Mode"] = "Smtp";
        environment["Smtp__Host"] = sink.Host;
        environment["Smtp__Port"] = sink.Port.ToString(CultureInfo.InvariantCulture);
        environment["Smtp__Security"] = "None";
        environment["Metrics__Port"] = metricsPort.ToString(CultureInfo.InvariantCulture);
        environment["Metrics__Token"] = Token;
        await using var service = await ServiceProcess.StartAsync(environment);
        using var prometheus = await PrometheusServer.StartAsync($"127.0.0.1:{metricsPort}", Token);
        try
        {
            await ScenarioAsync(service, prometheus, connectionString, port, metricsPort);
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            throw new Xunit.Sdk.XunitException($"{e.GetType().Name}: {e.Message}\n--- service output ---\n{service.Output}\n--- prometheus ---\n{prometheus.Output}", e);
        }
    }

    private static async Task ScenarioAsync(ServiceProcess service, PrometheusServer prometheus, string connectionString, int port, int metricsPort)
    {
        using var plain = new HttpClient();
        // The metrics port answers /metrics only, and only with the token; the service's port does not serve it.
        using (var noToken = await plain.GetAsync(new Uri($"http://127.0.0.1:{metricsPort}/metrics")))
            Assert.Equal(HttpStatusCode.Unauthorized, noToken.StatusCode);
        using (var other = await plain.GetAsync(new Uri($"http://127.0.0.1:{metricsPort}/healthz")))
            Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        using (var main = await plain.GetAsync(new Uri($"http://127.0.0.1:{port}/metrics")))
            Assert.Equal(HttpStatusCode.NotFound, main.StatusCode);

        await using var db = NpgsqlDataSource.Create(connectionString);
        await using (var c = await db.OpenConnectionAsync())
        {
            await c.ExecuteAsync(
                """
                insert into subscribers (email, email_key, status, created_at, confirmed_at)
                select 'reader' || n || '@example.com', 'reader' || n || '@example.com', 'confirmed', now(), now() from generate_series(1, @n) n
                """, new { n = Recipients });
        }
        using var api = new HttpClient { BaseAddress = service.BaseUrl };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ServiceProcess.ApiKey);
        var json = (await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Find(), "samples", "comparisons", "01-codestral-2-vs-mistral-8x24b.json")))
            .Replace("2026-11-21T14:00:00+00:00", DateTimeOffset.UtcNow.AddMinutes(-2).ToString("O"), StringComparison.Ordinal);
        using (var post = await api.PostAsync("/api/comparisons", new StringContent(json, Encoding.UTF8, "application/json")))
            Assert.True(post.IsSuccessStatusCode, await post.Content.ReadAsStringAsync());
        using (var signup = await plain.PostAsync(new Uri($"http://127.0.0.1:{port}/subscribe"), new FormUrlEncodedContent(new Dictionary<string, string> { ["email"] = "new@example.com" })))
            Assert.Equal(HttpStatusCode.Accepted, signup.StatusCode);
        using (var send = await api.PostAsync("/api/editions/send-now", null))
            Assert.True(send.IsSuccessStatusCode, await send.Content.ReadAsStringAsync());

        double? sent = null;
        var reached = await Eventually.TrueAsync(async () =>
        {
            sent = await prometheus.QueryAsync("sum(newsletter_messages_sent_total{kind=\"edition\"})");
            return sent >= Recipients;
        }, TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(250));
        Assert.True(reached, $"newsletter_messages_sent_total reached {sent?.ToString(CultureInfo.InvariantCulture) ?? "nothing"}, not {Recipients}; target: {await prometheus.TargetHealthAsync()}");
        Assert.Equal(Recipients, sent);

        // The rest of the set is exported under the names the README gives (same scrape, same job).
        Assert.True(await Eventually.TrueAsync(async () => await prometheus.QueryAsync("sum(newsletter_messages_sent_total{kind=\"transactional\"})") >= 1,
            TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(250)), "the confirmation mail was not counted");
        foreach (var series in new[]
                 {
                     "newsletter_signups_total", "newsletter_smtp_reply_seconds_count", "newsletter_deliveries_due",
                     "http_server_request_duration_seconds_count", "up",
                 })
            Assert.True(await Eventually.TrueAsync(async () => await prometheus.QueryAsync($"sum({series})") is not null, TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(250)),
                $"{series} is not in Prometheus");
        using var scrape = new HttpRequestMessage(HttpMethod.Get, new Uri($"http://127.0.0.1:{metricsPort}/metrics"));
        scrape.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        using var text = await plain.SendAsync(scrape);
        var body = await text.Content.ReadAsStringAsync();
        File.WriteAllText("/tmp/p23-metrics.txt", body);
        foreach (var name in new[] { "# TYPE newsletter_messages_sent_total counter", "# TYPE newsletter_smtp_reply_seconds histogram", "# TYPE newsletter_deliveries_due gauge", "db_client_" })
            Assert.True(body.Contains(name, StringComparison.Ordinal), $"{name} missing from /metrics:\n{body}");
    }
}
