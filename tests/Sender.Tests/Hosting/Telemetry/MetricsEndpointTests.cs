using System.Net;
using System.Net.Http.Headers;
using Dapper;
using Newsletter.Sender.Tests.Infrastructure;
using Newsletter.TestSupport;

namespace Newsletter.Sender.Tests.Hosting.Telemetry;

/// <summary>
/// <c>/metrics</c> on the service's own port behind <c>Metrics__Token</c>: refused without the token or with a wrong one;
/// with it, Prometheus text carrying the queue gauges of a paused edition (finished deliveries over recipients).
/// </summary>
public sealed class MetricsEndpointTests
{
    private const string Token = "metrics-token-0123456789-abcdefghijklmnopqrstuvwxyz";

    [Fact]
    public async Task The_token_opens_metrics_with_the_queue_depth_and_the_progress_of_an_open_edition()
    {
        using var service = await ServiceFactory.CreateAsync(new Dictionary<string, string?> { ["Metrics:Token"] = Token });
        await using (var c = await service.DataSource.OpenConnectionAsync())
        {
            // A paused edition (the workers leave it alone) with 4 recipients: 1 sent, 3 still due.
            await c.ExecuteAsync(
                """
                insert into subscribers (email, email_key, status, confirmed_at)
                select 'r' || n || '@example.com', 'r' || n || '@example.com', 'confirmed', now() from generate_series(1, 4) n;
                insert into editions (state, pause_cause, cutoff, recipients, started_at) values ('paused', 'operator', now(), 4, now());
                insert into deliveries (edition_id, subscriber_id, state, sent_at)
                select 1, id, case when id = 1 then 'sent' else 'pending' end, case when id = 1 then now() end from subscribers;
                """);
        }
        using var client = service.CreateAnonymousClient();
        using (var none = await client.GetAsync("/metrics")) Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        using (var wrong = new HttpRequestMessage(HttpMethod.Get, "/metrics"))
        {
            wrong.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token + "x");
            using var refused = await client.SendAsync(wrong);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        var text = "";
        // The gauges are read in the background after a scrape asks for them: the next scrapes carry the figures.
        var seen = await Eventually.TrueAsync(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            text = await response.Content.ReadAsStringAsync();
            return text.Contains("newsletter_edition_progress_ratio{", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(200));
        Assert.True(seen, "no progress gauge in:\n" + text);
        Assert.Contains("""edition="1"} 0.25""", text, StringComparison.Ordinal);
        Assert.Matches("""newsletter_deliveries_due\{[^}]*kind="edition"[^}]*\} 3""", text);
        Assert.Contains("# TYPE newsletter_deliveries_due gauge", text, StringComparison.Ordinal);
    }
}
