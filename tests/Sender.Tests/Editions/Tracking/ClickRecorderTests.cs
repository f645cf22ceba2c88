using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Newsletter.Sender.Tests.Infrastructure;
using Newsletter.Sender.Editions;
using static Newsletter.TestSupport.SubscriberRows;

namespace Newsletter.Sender.Tests.Editions.Tracking;

/// <summary>The click counter under more clicks than one write batch holds.</summary>
public sealed class ClickRecorderTests
{
    [Fact]
    public async Task One_flush_counts_every_queued_click_even_beyond_one_batch()
    {
        // The loop's own flush an hour away: only the test's flush writes.
        using var service = await ServiceFactory.CreateAsync(new Dictionary<string, string?> { ["Tracking:FlushInterval"] = "01:00:00" });
        var edition = await InsertEditionAsync(service, "sent");
        await using (var connection = await service.DataSource.OpenConnectionAsync())
            await connection.ExecuteAsync(
                """
                insert into edition_links (edition_id, link_id, url, slug, html_href)
                values (@edition, 1, 'https://compare.example.com/compare/a-vs-b', 'a-vs-b', 'a'), (@edition, 2, 'https://compare.example.com/compare/c-vs-d', 'c-vs-d', 'c')
                """, new { edition });
        var recorder = service.Services.GetRequiredService<ClickRecorder>();
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < 80_000; i++) recorder.Record(new Click(edition, 1 + (i % 2), Machine: i % 10 == 0, null, now));

        await recorder.FlushAsync(CancellationToken.None);

        await using var db = await service.DataSource.OpenConnectionAsync();
        var counts = (await db.QueryAsync<(int LinkId, long Clicks, long Machine)>(
            "select link_id, clicks, machine_clicks from edition_link_stats where edition_id = @edition order by link_id", new { edition })).ToList();
        Assert.Equal([(1, 32_000L, 8_000L), (2, 40_000L, 0L)], counts); // every tenth click (all on link 1) a machine's
    }
}
