using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dapper;
using Newsletter.Sender.Tests.Infrastructure;
using Newsletter.TestSupport;

namespace Newsletter.Sender.Tests.Public;

/// <summary>Signup, double opt-in and unsubscribe through the real endpoints, on a real database, mail to a pickup directory.</summary>
public sealed partial class SignupFlowTests
{
    [Fact]
    public async Task Form_signup_answers_with_the_check_your_inbox_page_and_writes_a_confirmation_mail()
    {
        using var service = await ServiceFactory.CreateAsync();
        using var client = service.CreateAnonymousClient();

        using var response = await client.PostAsync("/subscribe", Form(("email", "  new.reader@EXAMPLE.com ")));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Contains("inbox", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        var mail = ParsedEmail.Parse(await File.ReadAllBytesAsync((await service.WaitForMailAsync(1)).Single()));
        Assert.Contains("new.reader@example.com", mail.Header("To")!, StringComparison.Ordinal);
        Assert.Matches(ConfirmLink(), mail.Text!);
        await using var connection = await service.DataSource.OpenConnectionAsync();
        var row = await connection.QuerySingleAsync<(string Email, string Status)>("select email, status from subscribers");
        Assert.Equal(("new.reader@example.com", "pending"), row);
        var consent = await connection.QuerySingleAsync<(string ConsentVersion, string? Ip)>("select consent_version, host(ip) from consents");
        Assert.False(string.IsNullOrEmpty(consent.ConsentVersion));
    }

    [Fact]
    public async Task Json_signup_with_an_invalid_address_gets_a_problem_naming_the_field_and_stores_nothing()
    {
        using var service = await ServiceFactory.CreateAsync();
        using var client = service.CreateAnonymousClient();

        using var response = await client.PostAsJsonAsync("/subscribe", new { email = "not an address" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("email", out _));
        await AssertCountAsync(service, "subscribers", 0);
        await AssertCountAsync(service, "outbox", 0);
    }

    [Fact]
    public async Task Json_signup_of_an_ip_literal_address_is_refused_naming_why()
    {
        using var service = await ServiceFactory.CreateAsync();
        using var client = service.CreateAnonymousClient();

        using var response = await client.PostAsJsonAsync("/subscribe", new { email = "probe@[127.0.0.1]" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("IP address", problem.GetProperty("errors").GetProperty("email")[0].GetString(), StringComparison.Ordinal);
        await AssertCountAsync(service, "subscribers", 0);
        await AssertCountAsync(service, "outbox", 0);
    }

    [Theory]
    [InlineData("a@b.com\r\nBcc: victim@example.com")]
    [InlineData("<script>alert(1)</script>@example.com")]
    [InlineData("x'); drop table subscribers; --@example.com")]
    [InlineData("\"Eve\" <eve@example.com>")]
    [InlineData("x@[10.0.0.5]")]
    [InlineData("x@[IPv6:::1]")]
    public async Task Hostile_addresses_are_rejected_cleanly_with_nothing_stored(string email)
    {
        using var service = await ServiceFactory.CreateAsync();
        using var client = service.CreateAnonymousClient();

        using var response = await client.PostAsync("/subscribe", Form(("email", email)));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var page = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<script>alert", page, StringComparison.Ordinal);
        await AssertCountAsync(service, "subscribers", 0);
        await AssertCountAsync(service, "outbox", 0);
    }

    [Fact]
    public async Task The_honeypot_filled_looks_accepted_but_stores_and_sends_nothing()
    {
        using var service = await ServiceFactory.CreateAsync();
        using var client = service.CreateAnonymousClient();

        using var response = await client.PostAsync("/subscribe", Form(("email", "bot@example.com"), ("website", "http://spam.example")));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await AssertCountAsync(service, "subscribers", 0);
        await AssertCountAsync(service, "outbox", 0);
    }

    [Fact]
    public async Task Head_and_get_do_not_confirm_the_page_button_posts_and_confirms_and_a_second_press_says_already_confirmed()
    {
        using var service = await ServiceFactory.CreateAsync();
        using var client = service.CreateAnonymousClient();
        await client.PostAsync("/subscribe", Form(("email", "click@example.com")));
        var link = ConfirmLink().Match(ParsedEmail.Parse(await File.ReadAllBytesAsync((await service.WaitForMailAsync(1)).Single())).Text!).Value;
        var path = new Uri(link).AbsolutePath;

        using (var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, path)))
        {
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        }
        Assert.Equal("pending", await StatusAsync(service, "click@example.com"));

        // What a link scanner does: fetch the link, several times. Nothing is confirmed; the page has one button.
        for (var i = 0; i < 3; i++)
        {
            using var get = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            Assert.Equal(path, ConfirmButtonAction(await get.Content.ReadAsStringAsync()));
        }
        Assert.Equal("pending", await StatusAsync(service, "click@example.com"));
        await using (var connection = await service.DataSource.OpenConnectionAsync())
        {
            Assert.Equal(0L, await connection.ExecuteScalarAsync<long>("select count(*) from confirmation_tokens where used_at is not null"));
            Assert.Equal(0L, await connection.ExecuteScalarAsync<long>("select count(*) from outbox where kind = 'welcome'"));
            Assert.Null(await connection.ExecuteScalarAsync<DateTime?>("select confirmed_at from consents"));
        }

        using (var first = await client.PostAsync(path, EmptyForm()))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }
        Assert.Equal("confirmed", await StatusAsync(service, "click@example.com"));
        using (var second = await client.PostAsync(path, EmptyForm()))
        {
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);
            Assert.Contains("already", await second.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        }
        using (var later = await client.GetAsync(path))
        {
            Assert.Equal(HttpStatusCode.OK, later.StatusCode);
            Assert.Contains("already", await later.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        }
        await using var db = await service.DataSource.OpenConnectionAsync();
        Assert.Equal(1L, await db.ExecuteScalarAsync<long>("select count(*) from outbox where kind = 'welcome'"));
        Assert.NotNull(await db.ExecuteScalarAsync<DateTime?>("select confirmed_at from consents"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("short")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task Unknown_or_malformed_confirmation_tokens_get_the_expired_page_and_change_nothing(string token)
    {
        using var service = await ServiceFactory.CreateAsync();
        using var client = service.CreateAnonymousClient();
        await client.PostAsync("/subscribe", Form(("email", "x@example.com")));

        using var response = await client.GetAsync("/confirm/" + token);
        using var post = await client.PostAsync("/confirm/" + token, EmptyForm());

        Assert.True(response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed, response.StatusCode.ToString());
        Assert.True(post.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed, post.StatusCode.ToString());
        Assert.Equal("pending", await StatusAsync(service, "x@example.com"));
    }

    [Fact]
    public async Task A_new_signup_of_a_pending_address_invalidates_the_old_link()
    {
        using var service = await ServiceFactory.CreateAsync();
        using var client = service.CreateAnonymousClient();
        await client.PostAsync("/subscribe", Form(("email", "twice@example.com")));
        var first = ConfirmLink().Match(ParsedEmail.Parse(await File.ReadAllBytesAsync((await service.WaitForMailAsync(1)).Single())).Text!).Value;
        await client.PostAsync("/subscribe", Form(("email", "twice@example.com")));
        var files = await service.WaitForMailAsync(2);
        var second = files.Select(f => ConfirmLink().Match(ParsedEmail.Parse(File.ReadAllBytes(f)).Text!).Value).Single(l => l != first);

        using (var old = await client.GetAsync(new Uri(first).AbsolutePath))
        {
            Assert.Equal(HttpStatusCode.NotFound, old.StatusCode);
        }
        using (var oldPost = await client.PostAsync(new Uri(first).AbsolutePath, EmptyForm()))
        {
            Assert.Equal(HttpStatusCode.NotFound, oldPost.StatusCode);
        }
        Assert.Equal("pending", await StatusAsync(service, "twice@example.com"));
        using (var fresh = await client.PostAsync(new Uri(second).AbsolutePath, EmptyForm()))
        {
            Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        }
        Assert.Equal("confirmed", await StatusAsync(service, "twice@example.com"));
    }

    [Fact]
    public async Task A_confirmed_address_signing_up_again_gets_the_same_answer_and_no_mail()
    {
        using var service = await ServiceFactory.CreateAsync();
        using var client = service.CreateAnonymousClient();
        await client.PostAsync("/subscribe", Form(("email", "known@example.com")));
        var link = ConfirmLink().Match(ParsedEmail.Parse(await File.ReadAllBytesAsync((await service.WaitForMailAsync(1)).Single())).Text!).Value;
        await client.PostAsync(new Uri(link).AbsolutePath, EmptyForm());
        await service.WaitForMailAsync(2); // the welcome

        using var again = await client.PostAsJsonAsync("/subscribe", new { email = "known@example.com" });
        using var stranger = await client.PostAsJsonAsync("/subscribe", new { email = "stranger@example.com" });

        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        Assert.Equal(await stranger.Content.ReadAsStringAsync(), await again.Content.ReadAsStringAsync());
        await using var connection = await service.DataSource.OpenConnectionAsync();
        Assert.Equal(0L, await connection.ExecuteScalarAsync<long>(
            "select count(*) from outbox o join subscribers s on s.id = o.subscriber_id where s.email_key = 'known@example.com' and o.kind = 'confirmation' and o.id > 1"));
    }

    [Fact]
    public async Task The_fourth_signup_of_one_address_in_a_day_gets_429_with_retry_after()
    {
        using var service = await ServiceFactory.CreateAsync();
        using var client = service.CreateAnonymousClient();
        for (var i = 0; i < 3; i++)
        {
            using var ok = await client.PostAsync("/subscribe", Form(("email", "flood@example.com")));
            Assert.Equal(HttpStatusCode.Accepted, ok.StatusCode);
        }

        using var limited = await client.PostAsync("/subscribe", Form(("email", "flood@example.com")));

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        await using var connection = await service.DataSource.OpenConnectionAsync();
        Assert.Equal(3L, await connection.ExecuteScalarAsync<long>("select count(*) from outbox where kind = 'confirmation'"));
    }

    [Fact]
    public async Task One_click_unsubscribe_needs_no_cookie_and_a_tampered_token_changes_nothing()
    {
        using var service = await ServiceFactory.CreateAsync();
        using var client = service.CreateAnonymousClient();
        await client.PostAsync("/subscribe", Form(("email", "leaver@example.com")));
        var link = ConfirmLink().Match(ParsedEmail.Parse(await File.ReadAllBytesAsync((await service.WaitForMailAsync(1)).Single())).Text!).Value;
        await client.PostAsync(new Uri(link).AbsolutePath, EmptyForm());
        await using var connection = await service.DataSource.OpenConnectionAsync();
        var id = await connection.ExecuteScalarAsync<long>("select id from subscribers");
        var tokens = new Newsletter.Subscribers.UnsubscribeTokens([ServiceFactory.UnsubscribeKey]);
        var token = tokens.Create(id, 7);
        var tampered = token[..^2] + (token[^2] == 'A' ? "B" : "A") + token[^1];
        var other = tokens.Create(id + 1, 7);

        foreach (var bad in new[] { tampered, token[..^4], other, "" })
        {
            using var refused = await client.PostAsync("/unsubscribe/" + bad, OneClick());
            Assert.NotEqual(HttpStatusCode.OK, refused.StatusCode);
        }
        Assert.Equal("confirmed", await StatusAsync(service, "leaver@example.com"));

        using (var page = await client.GetAsync("/unsubscribe/" + token))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Contains("<form", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        Assert.Equal("confirmed", await StatusAsync(service, "leaver@example.com"));

        using var done = await client.PostAsync("/unsubscribe/" + token, OneClick());
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        Assert.Equal("unsubscribed", await StatusAsync(service, "leaver@example.com"));
        Assert.Equal(1L, await connection.ExecuteScalarAsync<long>("select count(*) from outbox where kind = 'goodbye'"));
        Assert.Equal(1L, await connection.ExecuteScalarAsync<long>("select count(*) from subscriber_events where to_status = 'unsubscribed' and cause = 'one-click unsubscribe'"));
    }

    private static FormUrlEncodedContent Form(params (string Key, string Value)[] fields)
        => new(fields.Select(f => new KeyValuePair<string, string>(f.Key, f.Value)));

    /// <summary>What a browser sends when the confirm page's button is pressed: the form has no fields.</summary>
    private static FormUrlEncodedContent EmptyForm() => new([]);

    /// <summary>The action of the confirm page's only form, which must post and hold one button.</summary>
    private static string ConfirmButtonAction(string html)
    {
        var document = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(html);
        var form = Assert.Single(document.QuerySelectorAll("form"));
        Assert.Equal("post", form.GetAttribute("method"));
        Assert.Single(form.QuerySelectorAll("button"));
        return form.GetAttribute("action")!;
    }

    private static StringContent OneClick() => new("List-Unsubscribe=One-Click", Encoding.ASCII, "application/x-www-form-urlencoded");

    private static async Task<string?> StatusAsync(ServiceFactory service, string emailKey)
    {
        await using var connection = await service.DataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<string?>("select status from subscribers where email_key = @emailKey", new { emailKey });
    }

    private static async Task AssertCountAsync(ServiceFactory service, string table, long expected)
    {
        await using var connection = await service.DataSource.OpenConnectionAsync();
        // The table name is one of ours, never input.
        Assert.Equal(expected, await connection.ExecuteScalarAsync<long>($"select count(*) from {table}"));
    }

    [GeneratedRegex(@"https://news\.example\.com/confirm/[A-Za-z0-9_-]{43}")]
    private static partial Regex ConfirmLink();
}
