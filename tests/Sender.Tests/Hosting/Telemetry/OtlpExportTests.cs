using System.Net;
using System.Net.Http.Json;
using Newsletter.Sender.Tests.Infrastructure;
using Newsletter.TestSupport;
using Newsletter.Sender.Tests.Jobs.Webhooks;

namespace Newsletter.Sender.Tests.Hosting.Telemetry;

/// <summary>
/// With <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> set, metrics and traces go out over OTLP/HTTP. No OTLP collector is packaged
/// for Debian here (and its Prometheus, 2.42, predates the OTLP receiver), so the peer is a loopback HTTP receiver
/// that keeps what it is sent; protobuf keeps names and string values as plain UTF-8, which is what is checked.
/// </summary>
public sealed class OtlpExportTests
{
    [Fact]
    public async Task Metrics_and_traces_reach_an_otlp_endpoint_with_the_service_name()
    {
        using var collector = new WebhookReceiver();
        collector.Start();
        using var service = await ServiceFactory.CreateAsync(new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{collector.Port}",
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
        });
        using var client = service.CreateAnonymousClient();
        using (var signup = await client.PostAsJsonAsync("/subscribe", new { email = "otlp@example.com" }))
            Assert.Equal(HttpStatusCode.Accepted, signup.StatusCode);

        bool Got(string path, string text) => collector.Received.Any(r =>
            r.RequestLine.StartsWith($"POST {path} ", StringComparison.Ordinal) && r.Body.Contains(text, StringComparison.Ordinal));
        // ASP.NET Core's request metric may come in a later export than ours: wait for all three, then say which is missing.
        Assert.True(await Eventually.TrueAsync(() => Got("/v1/metrics", "newsletter.signups") && Got("/v1/traces", "/subscribe")
                    && Got("/v1/metrics", "http.server.request.duration"),
                TimeSpan.FromSeconds(20)),
            "received: " + string.Join(", ", collector.Received.Select(r => r.RequestLine + " " + r.Body.Length + " bytes")));
        var metrics = collector.Received.First(r => r.RequestLine.StartsWith("POST /v1/metrics ", StringComparison.Ordinal));
        Assert.Equal("application/x-protobuf", metrics.Headers["content-type"]);
        Assert.Contains("newsletter", metrics.Body, StringComparison.Ordinal); // service.name
        Assert.True(Got("/v1/metrics", "http.server.request.duration"), "ASP.NET Core's metrics are exported too");
    }
}
