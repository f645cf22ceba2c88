using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Newsletter.Sender.Tests.Infrastructure;
using Newsletter.Subscribers;
using static Newsletter.Sender.Tests.Infrastructure.SubscriberTestData;
using static Newsletter.TestSupport.SubscriberRows;

namespace Newsletter.Sender.Tests.Api;

/// <summary>Access (GET /api/subscribers/{email}), erasure (DELETE), and the purge of stale data.</summary>
public sealed class PrivacyTests
{
    [Fact]
    public async Task Access_returns_status_consents_history_and_deliveries_of_one_subscriber()
    {
        using var service = await ServiceFactory.CreateAsync();
        using var anonymous = service.CreateAnonymousClient();
        using (var signup = await anonymous.PostAsJsonAsync("/subscribe", new { email = "me@example.com", source = "comparison page" }))
        {
            Assert.Equal(HttpStatusCode.Accepted, signup.StatusCode);
        }
        var id = await ScalarAsync<long>(service, "select id from subscribers");
        var edition = await InsertEditionAsync(service);
        await using (var connection = await service.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("insert into deliveries (edition_id, subscriber_id, state) values (@edition, @id, 'sent')", new { edition, id });
        }
        using var api = service.CreateApiClient();

        using var response = await api.GetAsync("/api/subscribers/ME@example.com");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("pending", body.GetProperty("status").GetString());
        Assert.Equal("comparison page", body.GetProperty("consents")[0].GetProperty("source").GetString());
        Assert.Equal("pending", body.GetProperty("history")[0].GetProperty("toStatus").GetString());
        Assert.Equal("sent", body.GetProperty("deliveries")[0].GetProperty("state").GetString());
        using var unknown = await api.GetAsync("/api/subscribers/nobody@example.com");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task A_lookup_by_post_answers_what_the_get_answers_without_the_address_in_the_url()
    {
        using var service = await ServiceFactory.CreateAsync();
        using var anonymous = service.CreateAnonymousClient();
        using (var signup = await anonymous.PostAsJsonAsync("/subscribe", new { email = "me@example.com", source = "comparison page" }))
        {
            Assert.Equal(HttpStatusCode.Accepted, signup.StatusCode);
        }
        using var api = service.CreateApiClient();

        using var get = await api.GetAsync("/api/subscribers/me@example.com");
        using var post = await api.PostAsJsonAsync("/api/subscribers/lookup", new { email = "ME@example.com" });
        using var unknown = await api.PostAsJsonAsync("/api/subscribers/lookup", new { email = "nobody@example.com" });
        using var empty = await api.PostAsJsonAsync("/api/subscribers/lookup", new { name = "x" });
        using var anonymousPost = await anonymous.PostAsJsonAsync("/api/subscribers/lookup", new { email = "me@example.com" });

        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        Assert.Equal(await get.Content.ReadAsStringAsync(), await post.Content.ReadAsStringAsync());
        Assert.Equal("comparison page", (await post.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("consents")[0].GetProperty("source").GetString());
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Equal("application/problem+json", empty.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymousPost.StatusCode);
    }

    [Fact]
    public async Task Erasure_removes_personal_data_keeps_a_suppression_hash_refuses_a_reimport_and_allows_a_fresh_signup()
    {
        using var service = await ServiceFactory.CreateAsync();
        using var anonymous = service.CreateAnonymousClient();
        anonymous.DefaultRequestHeaders.UserAgent.ParseAdd("SecretBrowser/1.0");
        await anonymous.PostAsJsonAsync("/subscribe", new { email = "forget.me@example.com" });
        var id = await ScalarAsync<long>(service, "select id from subscribers");
        await using (var connection = await service.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("update subscribers set name = 'Forget Me' where id = @id; update consents set ip = '203.0.113.9'", new { id });
        }
        using var api = service.CreateApiClient();

        using var erase = await api.DeleteAsync("/api/subscribers/forget.me@example.com");

        Assert.Equal(HttpStatusCode.OK, erase.StatusCode);
        Assert.Equal("erased", await ScalarAsync<string>(service, "select status from subscribers where id = @id", new { id }));
        Assert.Equal(0L, await CountAsync(service, "subscribers", "email like '%forget%' or name is not null"));
        Assert.Equal(0L, await CountAsync(service, "consents", "ip is not null or user_agent is not null or confirmed_ip is not null"));
        Assert.Equal(0L, await CountAsync(service, "outbox"));
        Assert.Equal(0L, await CountAsync(service, "confirmation_tokens"));
        Assert.Equal(1L, await CountAsync(service, "suppressions", "reason = 'erased'"));
        Assert.Equal(1L, await CountAsync(service, "subscriber_events", "to_status = 'erased'"));
        using (var again = await api.GetAsync("/api/subscribers/forget.me@example.com"))
        {
            Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        }

        var reimport = await service.Services.GetRequiredService<SubscriberImporter>().ImportAsync(
            new StringReader("email,consented_at,consent_source\nforget.me@example.com,2025-01-01,crm\n"), CancellationToken.None);
        Assert.Equal((0, 1), (reimport.Created, reimport.Suppressed));
        Assert.Equal(1L, await CountAsync(service, "subscribers"));

        using var fresh = await anonymous.PostAsJsonAsync("/subscribe", new { email = "forget.me@example.com" });
        Assert.Equal(HttpStatusCode.Accepted, fresh.StatusCode);
        Assert.Equal("pending", await StatusAsync(service, "forget.me@example.com"));
    }

    [Fact]
    public async Task Erasing_an_unknown_address_gets_404_and_changes_nothing()
    {
        using var service = await ServiceFactory.CreateAsync();
        await InsertAsync(service, "stay@example.com");
        using var api = service.CreateApiClient();

        using var response = await api.DeleteAsync("/api/subscribers/gone@example.com");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(0L, await CountAsync(service, "suppressions"));
    }

    [Fact]
    public async Task The_admin_search_finds_by_part_of_the_address_and_status_and_treats_wildcards_literally()
    {
        using var service = await ServiceFactory.CreateAsync();
        await InsertAsync(service, "alice@example.com");
        await InsertAsync(service, "bob@example.com", "unsubscribed");
        await InsertAsync(service, "under_score@example.com");
        var admin = service.Services.GetRequiredService<SubscriberAdmin>();

        Assert.Equal(3, (await admin.SearchAsync("example", null, 1)).Total);
        Assert.Equal("bob@example.com", (await admin.SearchAsync(null, "unsubscribed", 1)).Items.Single().Email);
        Assert.Equal("under_score@example.com", (await admin.SearchAsync("_", null, 1)).Items.Single().Email);
        Assert.Equal(0, (await admin.SearchAsync("%", null, 1)).Total);
    }
}
