using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Newsletter.Sender.Tests.Infrastructure;
using Newsletter.Sender.Jobs;
using Newsletter.Subscribers;
using Newsletter.TestSupport;
using static Newsletter.TestSupport.SubscriberRows;
using Newsletter.Sender.Tests.Editions.Tracking;

namespace Newsletter.Sender.Tests.Jobs.Webhooks;

/// <summary>A receiver that never comes back: the event is retried, then given up with the last error, for the dashboard.</summary>
public sealed class WebhookGiveUpTests
{
    [Fact]
    public async Task An_event_whose_receiver_stays_down_is_retried_then_given_up_with_the_last_error()
    {
        using var receiver = new WebhookReceiver(); // never started: a port nobody listens on, every attempt is refused
        using var service = await ServiceFactory.CreateAsync(new Dictionary<string, string?>
        {
            ["Webhooks:Endpoints:0:Url"] = receiver.Url,
            ["Webhooks:Endpoints:0:Secret"] = EngagementFixture.WebhookSecret,
            ["Webhooks:Endpoints:0:Events:0"] = "subscriber.unsubscribed",
            ["Webhooks:GiveUpAfter"] = "00:00:02",
            ["Webhooks:RetryBaseDelay"] = "00:00:00.300",
            ["Webhooks:MaxRetryDelay"] = "00:00:00.600",
            ["Webhooks:PollInterval"] = "00:00:00.100",
        });
        _ = service.Server; // start the host and its dispatcher
        var id = await InsertAsync(service, "leaver@example.com");
        using var client = service.CreateAnonymousClient();
        var token = new UnsubscribeTokens([ServiceFactory.UnsubscribeKey]).Create(id, 0);
        using (var unsubscribe = await client.PostAsync("/unsubscribe/" + token,
                   new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")])))
            Assert.Equal(HttpStatusCode.OK, unsubscribe.StatusCode);

        Assert.True(await Eventually.TrueAsync(async () => await ScalarAsync<long>(service,
                "select count(*) from webhook_deliveries where event_type = 'subscriber.unsubscribed' and state = 'failed'") == 1, TimeSpan.FromSeconds(20)),
            await ScalarAsync<string?>(service, "select string_agg(event_type || ' ' || state || ' ' || attempts || ' ' || coalesce(last_error, ''), '; ') from webhook_deliveries"));

        var (failed, waiting) = await service.Services.GetRequiredService<WebhookFailures>().RecentAsync(5, CancellationToken.None);
        var failure = Assert.Single(failed);
        Assert.Equal(receiver.Url, failure.Url);
        Assert.Equal("subscriber.unsubscribed", failure.EventType);
        Assert.True(failure.Attempts >= 2, $"given up after {failure.Attempts} attempt(s)");
        Assert.StartsWith("connection: ", failure.LastError, StringComparison.Ordinal);
        Assert.Equal(0, waiting);
        // Given up means given up: ten more of the dispatcher's rounds make no further attempt (a wait for something not to happen).
        var attempts = failure.Attempts;
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal((long)attempts, await ScalarAsync<long>(service, "select attempts from webhook_deliveries where state = 'failed'"));
    }
}
