using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Dapper;
using Newsletter.Sender.Tests.Infrastructure;
using Newsletter.Subscribers;
using Newsletter.TestSupport;
using static Newsletter.Sender.Tests.Infrastructure.SubscriberTestData;
using static Newsletter.TestSupport.SubscriberRows;

namespace Newsletter.Sender.Tests.Public;

/// <summary>Confirmation and unsubscribe links that were tampered with, cut, expired, reused or someone else's.</summary>
public sealed partial class TokenTests
{
    public enum BadToken
    {
        Modified,
        Truncated,
        Extended,
        Expired,
        RevokedByANewerSignup,
        Empty,
    }

    [Theory]
    [InlineData(BadToken.Modified)]
    [InlineData(BadToken.Truncated)]
    [InlineData(BadToken.Extended)]
    [InlineData(BadToken.Expired)]
    [InlineData(BadToken.RevokedByANewerSignup)]
    [InlineData(BadToken.Empty)]
    public async Task A_bad_confirmation_link_gets_the_expired_page_and_changes_nothing(BadToken kind)
    {
        using var service = await ServiceFactory.CreateAsync();
        using var client = service.CreateAnonymousClient();
        await client.PostAsync("/subscribe", Form("tok@example.com"));
        var token = TokenOf((await service.WaitForMailAsync(1)).Single());
        var path = "/confirm/" + kind switch
        {
            BadToken.Modified => token[..10] + (token[10] == 'A' ? 'B' : 'A') + token[11..],
            BadToken.Truncated => token[..^1],
            BadToken.Extended => token + "A",
            BadToken.Empty => "",
            _ => token,
        };
        if (kind == BadToken.Expired)
        {
            await using var connection = await service.DataSource.OpenConnectionAsync();
            await connection.ExecuteAsync("update confirmation_tokens set expires_at = now() - interval '1 second'");
        }
        if (kind == BadToken.RevokedByANewerSignup)
        {
            await client.PostAsync("/subscribe", Form("tok@example.com"));
        }

        // The page (GET) and its button (POST) give the same answer.
        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Post })
        {
            using var response = await client.SendAsync(new HttpRequestMessage(method, path) { Content = method == HttpMethod.Post ? new FormUrlEncodedContent([]) : null });

            Assert.True(response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed, $"{method}: {response.StatusCode}");
            if (kind != BadToken.Empty)
                Assert.Contains("expired", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        }
        Assert.Equal("pending", await StatusAsync(service, "tok@example.com"));
        Assert.Equal(0L, await CountAsync(service, "confirmation_tokens", "used_at is not null"));
        Assert.Equal(0L, await CountAsync(service, "outbox", "kind = 'welcome'"));
        Assert.Equal(0L, await CountAsync(service, "subscriber_events", "to_status = 'confirmed'"));
    }

    [Fact]
    public async Task A_confirmation_link_used_once_confirms_and_a_reuse_after_unsubscribing_does_not_resubscribe()
    {
        using var service = await ServiceFactory.CreateAsync();
        using var client = service.CreateAnonymousClient();
        await client.PostAsync("/subscribe", Form("reuse@example.com"));
        var token = TokenOf((await service.WaitForMailAsync(1)).Single());
        using (var first = await client.PostAsync("/confirm/" + token, new FormUrlEncodedContent([])))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }
        var id = await ScalarAsync<long>(service, "select id from subscribers");
        var unsubscribe = new UnsubscribeTokens([ServiceFactory.UnsubscribeKey]).Create(id);
        using (var left = await client.PostAsync("/unsubscribe/" + unsubscribe, OneClick()))
        {
            Assert.Equal(HttpStatusCode.OK, left.StatusCode);
        }

        using var reused = await client.PostAsync("/confirm/" + token, new FormUrlEncodedContent([]));
        using var reusedPage = await client.GetAsync("/confirm/" + token);

        Assert.Equal(HttpStatusCode.NotFound, reused.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, reusedPage.StatusCode);
        Assert.Equal("unsubscribed", await StatusAsync(service, "reuse@example.com"));
    }

    [Fact]
    public async Task Unsubscribe_tokens_that_are_modified_cut_signed_with_another_key_or_name_another_subscriber_change_nothing()
    {
        using var service = await ServiceFactory.CreateAsync();
        var mine = await InsertAsync(service, "mine@example.com");
        var theirs = await InsertAsync(service, "theirs@example.com");
        using var client = service.CreateAnonymousClient();
        var tokens = new UnsubscribeTokens([ServiceFactory.UnsubscribeKey]);
        var token = tokens.Create(mine, 3);
        var bytes = new byte[34];
        Assert.True(Base64Url.TryDecode(token, bytes, out _));
        bytes[9] = (byte)theirs; // same MAC, the other subscriber's id
        var swapped = Base64Url.Encode(bytes);
        var foreign = new UnsubscribeTokens(["another-key-of-at-least-32-characters-xxxxxxxx"]).Create(theirs, 3);
        var bad = new[] { token[..^1] + (token[^1] == 'A' ? 'B' : 'A'), token[..20], token + "AAAA", swapped, foreign, "%00", new string('A', 5000), new string('A', 45) };

        foreach (var t in bad)
        {
            using var post = await client.PostAsync("/unsubscribe/" + Uri.EscapeDataString(t), OneClick());
            Assert.True((int)post.StatusCode is 404 or 400 or 414, $"{t}: {(int)post.StatusCode}");
            using var page = await client.GetAsync("/unsubscribe/" + Uri.EscapeDataString(t));
            Assert.True((int)page.StatusCode is 404 or 400 or 414, $"{t}: {(int)page.StatusCode}");
        }

        Assert.Equal("confirmed", await StatusAsync(service, "mine@example.com"));
        Assert.Equal("confirmed", await StatusAsync(service, "theirs@example.com"));
        Assert.Equal(0L, await CountAsync(service, "subscriber_events"));
    }

    private static string TokenOf(string file)
        => ConfirmLink().Match(ParsedEmail.Parse(File.ReadAllBytes(file)).Text!).Groups[1].Value;

    private static FormUrlEncodedContent Form(string email) => new([new KeyValuePair<string, string>("email", email)]);

    private static StringContent OneClick() => new("List-Unsubscribe=One-Click", Encoding.ASCII, "application/x-www-form-urlencoded");

    [GeneratedRegex(@"https://news\.example\.com/confirm/([A-Za-z0-9_-]{43})")]
    private static partial Regex ConfirmLink();
}
