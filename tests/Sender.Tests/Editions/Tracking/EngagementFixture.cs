using System.Globalization;
using System.Net;
using System.Text;
using Newsletter.Sender.Tests.Infrastructure;
using Newsletter.TestSupport;
using Newsletter.Sender.Tests.Jobs.Webhooks;

namespace Newsletter.Sender.Tests.Editions.Tracking;

/// <summary>
/// One service for the engagement tests: real SMTP to smtp-sink, click tracking on (Anonymous, a 2 s machine-click
/// window), counters flushed every 100 ms, and one webhook endpoint on a loopback receiver that starts down.
/// </summary>
public sealed class EngagementFixture : IAsyncLifetime
{
    public const string WebhookSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"; // base64 of 24 bytes
    public const string Slug = "codestral-2-vs-mistral-8x24b";

    public SmtpSink Sink { get; } = SmtpSink.Start();

    public WebhookReceiver Receiver { get; } = new();

    public ServiceFactory Service { get; private set; } = default!;

    public async Task InitializeAsync()
    {
        Service = await ServiceFactory.CreateAsync(new Dictionary<string, string?>
        {
            ["Smtp:Mode"] = "Smtp",
            ["Smtp:Host"] = Sink.Host,
            ["Smtp:Port"] = Sink.Port.ToString(CultureInfo.InvariantCulture),
            ["Smtp:Security"] = "None",
            ["Tracking:MachineClickWindow"] = "00:00:02",
            ["Tracking:FlushInterval"] = "00:00:00.100",
            ["Webhooks:Endpoints:0:Url"] = Receiver.Url,
            ["Webhooks:Endpoints:0:Secret"] = WebhookSecret,
            ["Webhooks:Endpoints:0:Events:0"] = "subscriber.confirmed",
            ["Webhooks:Endpoints:0:Events:1"] = "edition.started",
            ["Webhooks:Endpoints:0:Events:2"] = "edition.sent",
            ["Webhooks:RetryBaseDelay"] = "00:00:00.300",
            ["Webhooks:MaxRetryDelay"] = "00:00:00.600",
            ["Webhooks:PollInterval"] = "00:00:00.100",
            ["Webhooks:Timeout"] = "00:00:02",
        });
        _ = Service.Server; // start the host (and its background loops)
        await Task.CompletedTask;
    }

    /// <summary>Posts the sample comparison (published just now) and sends an edition; returns its id.</summary>
    public static async Task<long> SendEditionAsync(HttpClient api)
    {
        var comparison = (await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Find(), "samples", "comparisons", "01-codestral-2-vs-mistral-8x24b.json")))
            .Replace("2026-11-21T14:00:00+00:00", DateTimeOffset.UtcNow.AddMinutes(-2).ToString("O"), StringComparison.Ordinal);
        using (var post = await api.PostAsync("/api/comparisons", new StringContent(comparison, Encoding.UTF8, "application/json")))
            Assert.True(post.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, post.StatusCode.ToString());
        using var send = await api.PostAsync("/api/editions/send-now", null);
        Assert.Equal(HttpStatusCode.Created, send.StatusCode);
        using var doc = System.Text.Json.JsonDocument.Parse(await send.Content.ReadAsStringAsync());
        return doc.RootElement.GetProperty("id").GetInt64();
    }

    public async Task DisposeAsync()
    {
        Service?.Dispose();
        Receiver.Dispose();
        Sink.Dispose();
        await Task.CompletedTask;
    }
}
