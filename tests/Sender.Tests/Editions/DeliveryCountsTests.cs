using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapper;
using Newsletter.Sender.Tests.Admin;
using Newsletter.Sender.Tests.Infrastructure;

namespace Newsletter.Sender.Tests.Editions;

/// <summary>
/// The console's progress, the edition's report and <c>GET /api/editions/{id}</c> read one source (DeliveryCounts), so
/// during a 20,000-recipient send they never disagree: read in turn while the counts climb, each lies between its
/// neighbours; read while the edition is paused (nothing moves), they are equal.
/// </summary>
[Trait("Category", "Slow")]
public sealed class DeliveryCountsTests
{
    private const int Readers = 20_000;

    private sealed record Figures(long Recipients, long Delivered);

    [Fact]
    public async Task Progress_report_and_api_show_the_same_counts_during_a_send()
    {
        using var sink = SmtpSink.Start(new SmtpSinkOptions { Dump = false });
        using var service = await AdminTestSupport.CreateServiceAsync(new Dictionary<string, string?>
        {
            ["Smtp:Mode"] = "Smtp",
            ["Smtp:Host"] = sink.Host,
            ["Smtp:Port"] = sink.Port.ToString(CultureInfo.InvariantCulture),
            // Slow enough that the reads below happen mid-send.
            ["Smtp:MaxMessagesPerSecond"] = "2000",
        });
        await using (var connection = await service.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync(
                """
                insert into subscribers (email, email_key, status, confirmed_at)
                select 'r' || g || '@example.com', 'r' || g || '@example.com', 'confirmed', now() from generate_series(1, @Readers) g
                """, new { Readers });
        }
        using var api = service.CreateApiClient();
        using var console = await AdminTestSupport.SignedInClientAsync(service);
        var comparison = (await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Find(), "samples", "comparisons", "01-codestral-2-vs-mistral-8x24b.json")))
            .Replace("2026-11-21T14:00:00+00:00", DateTimeOffset.UtcNow.AddMinutes(-2).ToString("O"), StringComparison.Ordinal);
        using (var post = await api.PostAsync("/api/comparisons", new StringContent(comparison, Encoding.UTF8, "application/json")))
            Assert.Equal(HttpStatusCode.Created, post.StatusCode);
        long id;
        using (var send = await api.PostAsync("/api/editions/send-now", null))
        {
            Assert.Equal(HttpStatusCode.Created, send.StatusCode);
            id = (await send.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        }

        async Task<Figures> ApiAsync()
        {
            var e = await api.GetFromJsonAsync<JsonElement>($"/api/editions/{id}");
            return new Figures(e.GetProperty("recipients").GetInt64(), e.GetProperty("deliveries").GetProperty("sent").GetInt64());
        }
        async Task<Figures> ReportAsync()
        {
            var r = await api.GetFromJsonAsync<JsonElement>($"/api/editions/{id}/report");
            return new Figures(r.GetProperty("recipients").GetInt64(), r.GetProperty("delivered").GetInt64());
        }
        async Task<Figures> ProgressAsync()
        {
            var p = JsonDocument.Parse(await console.GetStringAsync($"/admin/editions/{id}/progress.json")).RootElement;
            return new Figures(p.GetProperty("recipients").GetInt64(), p.GetProperty("sent").GetInt64());
        }

        // While it sends: counts only grow, so each read lies between the reads around it.
        var midSend = 0;
        while (true)
        {
            var a = await ApiAsync();
            var r = await ReportAsync();
            var p = await ProgressAsync();
            var b = await ApiAsync();
            Assert.InRange(r.Delivered, a.Delivered, p.Delivered);
            Assert.InRange(p.Delivered, r.Delivered, b.Delivered);
            Assert.InRange(r.Recipients, a.Recipients, p.Recipients);
            Assert.InRange(p.Recipients, r.Recipients, b.Recipients);
            if (b.Delivered > 0 && b.Delivered < Readers) midSend++;
            if (b.Delivered >= Readers / 4) break;
            await Task.Delay(100);
        }
        Assert.True(midSend > 0, "no read happened while the edition was sending");

        // Paused (what was in flight settles): the three agree exactly, part way through.
        using (var pause = await api.PostAsync($"/api/editions/{id}/pause", null))
            Assert.Equal(HttpStatusCode.OK, pause.StatusCode);
        Assert.True(await Eventually.TrueAsync(async () =>
        {
            await using var c = await service.DataSource.OpenConnectionAsync();
            return await c.ExecuteScalarAsync<long>("select count(*) from deliveries where edition_id = @id and state = 'sending'", new { id }) == 0;
        }, TimeSpan.FromSeconds(60)), "the deliveries in flight did not settle");
        var paused = await ApiAsync();
        Assert.Equal(paused, await ReportAsync());
        Assert.Equal(paused, await ProgressAsync());
        Assert.Equal(Readers, paused.Recipients);
        Assert.InRange(paused.Delivered, 1, Readers - 1);

        // Resumed to the end: the same again, and every reader counted once.
        using (var resume = await api.PostAsync($"/api/editions/{id}/resume", null))
            Assert.Equal(HttpStatusCode.OK, resume.StatusCode);
        Assert.True(await Eventually.TrueAsync(async () => (await ApiAsync()).Delivered == Readers, TimeSpan.FromSeconds(120)), "the edition did not finish");
        var done = await ApiAsync();
        Assert.Equal(done, await ReportAsync());
        Assert.Equal(done, await ProgressAsync());
        Assert.Equal(new Figures(Readers, Readers), done);
    }
}
