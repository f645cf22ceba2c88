using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Newsletter.Sender.Tests.Infrastructure;
using Newsletter.Sender.Editions;
using static Newsletter.TestSupport.SubscriberRows;

namespace Newsletter.Sender.Tests.Editions.Tracking;

/// <summary>The open pixel: a GIF for everyone, counted only with <c>Tracking__Opens=On</c>, machines apart.</summary>
public sealed class OpenPixelTests
{
    private const string Browser = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15";

    [Theory]
    [InlineData("On")]
    [InlineData("Off")]
    public async Task The_pixel_answers_a_gif_and_its_fetches_are_counted_only_when_opens_are_on(string opens)
    {
        using var service = await ServiceFactory.CreateAsync(new Dictionary<string, string?>
        {
            ["Tracking:Opens"] = opens,
            ["Tracking:MachineClickWindow"] = "00:00:00",
            ["Tracking:FlushInterval"] = "01:00:00", // only the test's flush writes
        });
        var edition = await InsertEditionAsync(service, "sent");
        using var client = service.CreateAnonymousClient();
        foreach (var (method, agent) in new[] { (HttpMethod.Get, Browser), (HttpMethod.Get, Browser), (HttpMethod.Head, Browser), (HttpMethod.Get, "GoogleImageProxy") })
        {
            using var request = new HttpRequestMessage(method, $"/o/{edition}.gif?d=0");
            request.Headers.TryAddWithoutValidation("User-Agent", agent);
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("image/gif", response.Content.Headers.ContentType!.MediaType);
            Assert.Equal("no-store", response.Headers.CacheControl!.ToString());
            if (method == HttpMethod.Get) Assert.Equal("GIF89a"u8.ToArray(), (await response.Content.ReadAsByteArrayAsync())[..6]);
        }
        // A pixel of an edition that does not exist answers the same and counts nothing.
        using (var unknown = await client.GetAsync($"/o/{edition + 1000}.gif"))
            Assert.Equal(HttpStatusCode.OK, unknown.StatusCode);
        await service.Services.GetRequiredService<ClickRecorder>().FlushAsync(CancellationToken.None);

        using var api = service.CreateApiClient();
        using var report = JsonDocument.Parse(await api.GetStringAsync($"/api/editions/{edition}/report"));
        var counted = report.RootElement.GetProperty("opens");
        if (opens == "On")
        {
            Assert.Equal(2, counted.GetProperty("total").GetInt64());
            Assert.Equal(2, counted.GetProperty("machine").GetInt64()); // the HEAD and the image proxy
        }
        else
        {
            Assert.True(counted.ValueKind == JsonValueKind.Null, counted.ToString());
        }
        Assert.Equal(0L, await CountAsync(service, "edition_open_stats", $"edition_id = {edition + 1000}"));
    }
}
