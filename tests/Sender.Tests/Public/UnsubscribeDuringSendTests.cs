using System.Net;
using System.Text;
using Dapper;
using Newsletter.Sender.Tests.Infrastructure;
using Newsletter.Subscribers;
using Newsletter.TestSupport;
using static Newsletter.Sender.Tests.Infrastructure.SubscriberTestData;
using static Newsletter.TestSupport.SubscriberRows;

namespace Newsletter.Sender.Tests.Public;

/// <summary>A reader who unsubscribes while an edition is going out gets nothing more from it.</summary>
public sealed class UnsubscribeDuringSendTests
{
    [Fact]
    public async Task Pending_deliveries_of_an_edition_in_progress_are_skipped_by_an_unsubscribe()
    {
        using var service = await ServiceFactory.CreateAsync();
        var leaver = await InsertAsync(service, "leaver@example.com");
        var stayer = await InsertAsync(service, "stayer@example.com");
        var edition = await InsertEditionAsync(service, "paused");
        var earlier = await InsertEditionAsync(service, "sent");
        await using (var connection = await service.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync(
                """
                insert into deliveries (edition_id, subscriber_id, state) values (@edition, @leaver, 'pending'), (@edition, @stayer, 'pending');
                insert into deliveries (edition_id, subscriber_id, state, attempts) values (@earlier, @leaver, 'sent', 1);
                """, new { edition, earlier, leaver, stayer });
        }
        using var client = service.CreateAnonymousClient();

        using var response = await client.PostAsync("/unsubscribe/" + new UnsubscribeTokens([ServiceFactory.UnsubscribeKey]).Create(leaver, edition), OneClick());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("skipped", await ScalarAsync<string>(service, "select state from deliveries where edition_id = @edition and subscriber_id = @leaver", new { edition, leaver }));
        Assert.Equal("pending", await ScalarAsync<string>(service, "select state from deliveries where edition_id = @edition and subscriber_id = @stayer", new { edition, stayer }));
        Assert.Equal("sent", await ScalarAsync<string>(service, "select state from deliveries where edition_id = @earlier", new { earlier }));
    }

    [Fact]
    public async Task A_reader_unsubscribing_while_send_now_is_sending_receives_nothing_after_the_unsubscribe()
    {
        using var service = await ServiceFactory.CreateAsync();
        await using (var connection = await service.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync(
                """
                insert into subscribers (email, email_key, status, confirmed_at)
                select 'r' || g || '@example.com', 'r' || g || '@example.com', 'confirmed', now() from generate_series(1, 1500) g
                """);
        }
        var last = await ScalarAsync<long>(service, "select max(id) from subscribers");
        using var api = service.CreateApiClient();
        var comparison = (await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Find(), "samples", "comparisons", "01-codestral-2-vs-mistral-8x24b.json")))
            .Replace("2026-11-21T14:00:00+00:00", DateTimeOffset.UtcNow.AddMinutes(-2).ToString("O"), StringComparison.Ordinal);
        using (var post = await api.PostAsync("/api/comparisons", new StringContent(comparison, Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.Created, post.StatusCode);
        }
        using (var send = await api.PostAsync("/api/editions/send-now", null))
        {
            Assert.Equal(HttpStatusCode.Created, send.StatusCode);
        }
        var edition = await ScalarAsync<long>(service, "select max(id) from editions");
        using var client = service.CreateAnonymousClient();

        using (var response = await client.PostAsync("/unsubscribe/" + new UnsubscribeTokens([ServiceFactory.UnsubscribeKey]).Create(last, edition), OneClick()))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        var unsubscribedAt = await ScalarAsync<DateTime>(service, "select at from subscriber_events where subscriber_id = @last and to_status = 'unsubscribed'", new { last });

        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (await ScalarAsync<string>(service, "select state from editions where id = @edition", new { edition }) != "sent" && DateTime.UtcNow < deadline)
            await Task.Delay(250);
        Assert.Equal("sent", await ScalarAsync<string>(service, "select state from editions where id = @edition", new { edition }));
        var delivery = await ScalarAsync<string>(service, "select state from deliveries where edition_id = @edition and subscriber_id = @last", new { edition, last });
        var sentAt = await ScalarAsync<DateTime?>(service, "select sent_at from deliveries where edition_id = @edition and subscriber_id = @last", new { edition, last });
        Assert.True(delivery == "skipped" || (delivery == "sent" && sentAt <= unsubscribedAt), $"{delivery} at {sentAt}, unsubscribed at {unsubscribedAt}");
        Assert.Equal(1499L, await CountAsync(service, "deliveries", $"edition_id = {edition} and state = 'sent' and subscriber_id <> {last}"));
        if (delivery == "skipped")
        {
            var subject = await ScalarAsync<string>(service, "select subject from editions where id = @edition", new { edition });
            var toLeaver = service.OutboxFiles().Where(f => File.ReadAllText(f).Contains("r1500@example.com", StringComparison.Ordinal))
                .Select(f => ParsedEmail.Parse(File.ReadAllBytes(f))).ToList();
            Assert.DoesNotContain(toLeaver, m => m.Header("Subject") == subject);
        }
    }

    private static StringContent OneClick() => new("List-Unsubscribe=One-Click", Encoding.ASCII, "application/x-www-form-urlencoded");
}
