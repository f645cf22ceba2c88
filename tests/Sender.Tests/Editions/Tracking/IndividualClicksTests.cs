using System.Net;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Newsletter.Sender.Tests.Infrastructure;
using Newsletter.Sender.Editions;
using static Newsletter.TestSupport.SubscriberRows;

namespace Newsletter.Sender.Tests.Editions.Tracking;

/// <summary>Individual mode: who clicked is kept for the subscriber's data, and erasure takes it away while the counts stay.</summary>
public sealed class IndividualClicksTests
{
    [Fact]
    public async Task A_readers_clicks_show_in_their_data_and_erasing_them_keeps_only_the_counts()
    {
        using var service = await ServiceFactory.CreateAsync(new Dictionary<string, string?>
        {
            ["Tracking:Clicks"] = "Individual",
            ["Tracking:MachineClickWindow"] = "00:00:00",
        });
        var reader = await InsertAsync(service, "clicker@example.com");
        var edition = await InsertEditionAsync(service, "sent");
        await using (var connection = await service.DataSource.OpenConnectionAsync())
            await connection.ExecuteAsync(
                "insert into edition_links (edition_id, link_id, url, slug, html_href) values (@edition, 1, 'https://compare.example.com/compare/x-vs-y', 'x-vs-y', 'x')",
                new { edition });
        using var client = service.CreateAnonymousClient();
        var token = service.Services.GetRequiredService<ClickTokens>().Create(reader, edition);
        foreach (var _ in Enumerable.Range(0, 2))
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/r/{edition}/1?d=0&t={token}");
            request.Headers.TryAddWithoutValidation("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0");
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        }
        // An unsubscribe token is not a click token: the click counts, but for nobody.
        using (var forged = await client.GetAsync($"/r/{edition}/1?t={new Newsletter.Subscribers.UnsubscribeTokens([ServiceFactory.UnsubscribeKey]).Create(reader, edition)}"))
            Assert.Equal(HttpStatusCode.Redirect, forged.StatusCode);
        await service.Services.GetRequiredService<ClickRecorder>().FlushAsync(CancellationToken.None);

        using var api = service.CreateApiClient();
        using (var report = JsonDocument.Parse(await api.GetStringAsync($"/api/editions/{edition}/report")))
        {
            var clicks = report.RootElement.GetProperty("clicks");
            Assert.Equal(2, clicks.GetProperty("total").GetInt64());
            Assert.Equal(1, clicks.GetProperty("machine").GetInt64()); // the forged one had no user agent
            Assert.Equal(1, clicks.GetProperty("unique").GetInt64());
        }
        using (var data = JsonDocument.Parse(await api.GetStringAsync("/api/subscribers/clicker@example.com")))
        {
            var click = Assert.Single(data.RootElement.GetProperty("clicks").EnumerateArray());
            Assert.Equal("x-vs-y", click.GetProperty("slug").GetString());
            Assert.Equal(2, click.GetProperty("clicks").GetInt32());
        }

        using (var erase = await api.DeleteAsync("/api/subscribers/clicker@example.com"))
            Assert.True(erase.IsSuccessStatusCode, erase.StatusCode.ToString());

        Assert.Equal(0L, await CountAsync(service, "edition_link_readers"));
        Assert.Equal(2L, await ScalarAsync<long>(service, "select clicks from edition_link_stats where edition_id = @edition", new { edition }));
        Assert.Equal(1L, await ScalarAsync<long>(service, "select unique_clicks from edition_link_stats where edition_id = @edition", new { edition }));
    }
}
