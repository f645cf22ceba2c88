using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Newsletter.Sender.Tests.Infrastructure;
using Newsletter.TestSupport;
using StandardWebhooks;
using static Newsletter.TestSupport.SubscriberRows;
using Newsletter.Sender.Tests.Jobs.Webhooks;

namespace Newsletter.Sender.Tests.Editions.Tracking;

/// <summary>
/// What readers did with an edition, end to end: an edition sent to smtp-sink with click tracking on, its links
/// followed as a browser and as machines, the report, an unsubscribe through the edition, the Atom feed, and a signed
/// webhook that reaches a receiver once it is back up.
/// </summary>
public sealed partial class EngagementTests(EngagementFixture fixture) : IClassFixture<EngagementFixture>
{
    private const string Browser = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";
    private static readonly SemaphoreSlim EditionLock = new(1, 1);
    private static readonly string[] EditionEvents = ["edition.started", "edition.sent"];
    private static Task<SentEdition>? edition;

    private ServiceFactory Service => fixture.Service;

    [Fact]
    public async Task A_reader_following_a_comparison_link_is_redirected_and_counted_once_while_machines_are_counted_apart()
    {
        var sent = await EditionAsync();
        var reader = sent.Messages["reader@example.com"];
        using var api = Service.CreateApiClient();
        var report = await ReportAsync(api, sent.Id);
        var link = report.GetProperty("clicks").GetProperty("byLink").EnumerateArray()
            .First(l => l.GetProperty("slug").GetString() == EngagementFixture.Slug);
        var linkId = link.GetProperty("linkId").GetInt32();
        var target = link.GetProperty("url").GetString()!;
        Assert.StartsWith("https://aitoolverdicts.example/compare/" + EngagementFixture.Slug, target, StringComparison.Ordinal);
        var href = WebUtility.HtmlDecode(Hrefs().Matches(reader.Html!).Select(m => m.Groups[1].Value)
            .First(h => h.StartsWith($"https://news.example.com/r/{sent.Id}/{linkId}?", StringComparison.Ordinal)));
        Assert.DoesNotContain(target, reader.Html!, StringComparison.Ordinal); // every copy of the link is rewritten
        var stamp = long.Parse(Regex.Match(href, @"[?&]d=(\d+)").Groups[1].Value, CultureInfo.InvariantCulture);
        using var client = Service.CreateAnonymousClient();
        var path = href["https://news.example.com".Length..];

        var machine = 0;
        // A browser's fetch inside the machine-click window is a scanner's (only checkable while the window lasts).
        if (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() < (stamp + 2) * 1000 - 300)
        {
            using var early = await GetAsync(client, HttpMethod.Get, path, Browser);
            Assert.Equal(HttpStatusCode.Redirect, early.StatusCode);
            machine++;
        }
        using (var head = await GetAsync(client, HttpMethod.Head, path, Browser))
        {
            Assert.Equal(HttpStatusCode.Redirect, head.StatusCode);
            machine++;
        }
        using (var scanner = await GetAsync(client, HttpMethod.Get, path, "Mozilla/5.0 (compatible; Proofpoint URL Defense)"))
        {
            Assert.Equal(HttpStatusCode.Redirect, scanner.StatusCode);
            machine++;
        }
        // A reader opens the mail later: past the 2 s window after the message was composed.
        Assert.True(await Eventually.TrueAsync(() => DateTimeOffset.UtcNow.ToUnixTimeSeconds() >= stamp + 3, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(50)));
        using (var click = await GetAsync(client, HttpMethod.Get, path, Browser))
        {
            Assert.Equal(HttpStatusCode.Redirect, click.StatusCode);
            Assert.Equal(target, click.Headers.Location!.OriginalString);
        }

        JsonElement after = default;
        Assert.True(await Eventually.TrueAsync(async () =>
        {
            after = await ReportAsync(api, sent.Id);
            return after.GetProperty("clicks").GetProperty("machine").GetInt64() == machine && after.GetProperty("clicks").GetProperty("total").GetInt64() > 0;
        }, TimeSpan.FromSeconds(10)), after.ToString());
        var clicks = after.GetProperty("clicks");
        Assert.Equal(1, clicks.GetProperty("total").GetInt64());
        var byComparison = clicks.GetProperty("byComparison").EnumerateArray().Single(c => c.GetProperty("slug").GetString() == EngagementFixture.Slug);
        Assert.Equal(1, byComparison.GetProperty("clicks").GetInt64());
        Assert.Equal(after.GetProperty("recipients").GetInt32(), after.GetProperty("delivered").GetInt64());
        Assert.True(after.GetProperty("clickRate").GetDouble() > 0);

        // Nothing but a stored link redirects: another link number, another edition, or a link with its own target.
        using (var forged = await GetAsync(client, HttpMethod.Get, $"/r/{sent.Id}/999?d={stamp}", Browser))
            Assert.Equal(HttpStatusCode.NotFound, forged.StatusCode);
        using (var otherEdition = await GetAsync(client, HttpMethod.Get, $"/r/{sent.Id + 1000}/{linkId}", Browser))
            Assert.Equal(HttpStatusCode.NotFound, otherEdition.StatusCode);
        // A HEAD, so this check is a machine's fetch and leaves the reader's count at one (a browser's GET here would be a
        // second reader click, counted whenever the next flush runs).
        using (var open = await GetAsync(client, HttpMethod.Head, $"/r/{sent.Id}/{linkId}?d={stamp}&url=https://evil.example/", Browser))
            Assert.Equal(target, open.Headers.Location!.OriginalString);

        using var csv = await api.GetAsync($"/api/editions/{sent.Id}/report?format=csv");
        Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        var text = await csv.Content.ReadAsStringAsync();
        Assert.Contains("clicks.total,1\r\n", text, StringComparison.Ordinal);
        Assert.Contains($"comparison,{EngagementFixture.Slug},,,1,", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unsubscribe_through_the_editions_link_is_counted_in_its_report_and_the_link_is_not_rewritten()
    {
        var sent = await EditionAsync();
        var leaver = sent.Messages["leaver@example.com"];
        var header = leaver.Header("List-Unsubscribe")!;
        Assert.Matches(@"^<https://news\.example\.com/unsubscribe/[A-Za-z0-9_-]+>$", header);
        var url = header.Trim('<', '>');
        Assert.Contains($"href=\"{url}\"", leaver.Html!, StringComparison.Ordinal); // the footer's link, as sent
        using var client = Service.CreateAnonymousClient();

        using (var response = await client.PostAsync(url["https://news.example.com".Length..],
                   new StringContent("List-Unsubscribe=One-Click", Encoding.ASCII, "application/x-www-form-urlencoded")))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        using var api = Service.CreateApiClient();
        var report = await ReportAsync(api, sent.Id);
        Assert.Equal(1, report.GetProperty("unsubscribes").GetInt64());
        Assert.Equal(0, report.GetProperty("bounces").GetProperty("hard").GetInt64());
        Assert.Equal(0, report.GetProperty("complaints").GetInt64());
    }

    [Fact]
    public async Task The_archive_feed_is_atom_with_the_sent_edition_and_is_announced_by_the_archive_page()
    {
        var sent = await EditionAsync();
        using var client = Service.CreateAnonymousClient();
        using var feed = await client.GetAsync("/archive/feed.xml");
        Assert.Equal("application/atom+xml", feed.Content.Headers.ContentType!.MediaType);
        var xml = await feed.Content.ReadAsByteArrayAsync();

        var parsed = PythonRunner.Run(
            """
            import sys, xml.etree.ElementTree as ET
            A = '{http://www.w3.org/2005/Atom}'
            root = ET.fromstring(sys.stdin.buffer.read())
            assert root.tag == A + 'feed', root.tag
            for name in ('id', 'title', 'updated'):
                assert root.find(A + name) is not None and root.find(A + name).text, name
            entries = root.findall(A + 'entry')
            for e in entries:
                for name in ('id', 'title', 'updated', 'summary'):
                    assert e.find(A + name) is not None and e.find(A + name).text, name
                link = e.find(A + 'link')
                assert link is not None and link.get('rel') == 'alternate', 'link'
                print(link.get('href') + ' | ' + e.find(A + 'summary').text)
            """, xml);
        Assert.True(parsed.ExitCode == 0, parsed.StandardError);
        Assert.Contains($"https://news.example.com/archive/{sent.Id} | 1 comparison: ", parsed.StandardOutput, StringComparison.Ordinal);

        var archive = await client.GetStringAsync("/archive");
        Assert.Contains("<link rel=\"alternate\" type=\"application/atom+xml\"", WebUtility.HtmlDecode(archive[..archive.IndexOf("</head>", StringComparison.Ordinal)]), StringComparison.Ordinal);
        Assert.Contains("href=\"https://news.example.com/archive/feed.xml\"", archive, StringComparison.Ordinal);
        // The web copy links straight to the comparison: web readers are not counted, no slot is left.
        var web = await client.GetStringAsync($"/archive/{sent.Id}");
        Assert.DoesNotContain("/r/", web, StringComparison.Ordinal);
        Assert.Contains("https://aitoolverdicts.example/compare/" + EngagementFixture.Slug, web, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_confirmation_reaches_the_webhook_receiver_signed_once_it_is_back_up()
    {
        using var client = Service.CreateAnonymousClient();
        using (var signup = await client.PostAsJsonAsync("/subscribe", new { email = "hook@example.com" }))
            Assert.Equal(HttpStatusCode.Accepted, signup.StatusCode);
        SinkMessage? confirmation = null;
        Assert.True(await Eventually.TrueAsync(() =>
        {
            confirmation = fixture.Sink.ReadMessages().FirstOrDefault(m => m.Recipients.Select(Address).Contains("hook@example.com"));
            return confirmation is not null;
        }, TimeSpan.FromSeconds(20)));
        var token = Regex.Match(ParsedEmail.Parse(confirmation!.MessageBytes).Text!, @"/confirm/([A-Za-z0-9_-]+)").Groups[1].Value;
        using (var confirm = await client.PostAsync("/confirm/" + token, null))
            Assert.Equal(HttpStatusCode.OK, confirm.StatusCode);

        // The receiver is down: the event waits in the outbox and is retried.
        Assert.True(await Eventually.TrueAsync(async () => await ScalarAsync<long>(Service,
            "select count(*) from webhook_deliveries where event_type = 'subscriber.confirmed' and attempts >= 2 and state = 'pending' and last_error is not null") > 0,
            TimeSpan.FromSeconds(15)),
            await ScalarAsync<string?>(Service, "select string_agg(event_type || ' ' || state || ' ' || attempts || ' ' || coalesce(last_error, ''), '; ') from webhook_deliveries")
            + " endpoints: " + await ScalarAsync<string?>(Service, "select string_agg(url || ' ' || array_to_string(events, ','), '; ') from webhook_endpoints"));
        Assert.Empty(fixture.Receiver.Received);

        fixture.Receiver.Start();
        ReceivedWebhook? hook = null;
        Assert.True(await Eventually.TrueAsync(() =>
        {
            hook = fixture.Receiver.Received.FirstOrDefault(r => r.Body.Contains("\"subscriber.confirmed\"", StringComparison.Ordinal));
            return hook is not null;
        }, TimeSpan.FromSeconds(15)));

        using var body = JsonDocument.Parse(hook!.Body);
        Assert.Equal("subscriber.confirmed", body.RootElement.GetProperty("type").GetString());
        Assert.Equal("hook@example.com", body.RootElement.GetProperty("data").GetProperty("email").GetString());
        // Standard Webhooks: v1 = base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}")), key = base64 after "whsec_".
        var id = hook.Headers["webhook-id"];
        var timestamp = hook.Headers["webhook-timestamp"];
        Assert.InRange(long.Parse(timestamp, CultureInfo.InvariantCulture), DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 5);
        var key = Convert.FromBase64String(EngagementFixture.WebhookSecret["whsec_".Length..]);
        var expected = "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{id}.{timestamp}.{hook.Body}")));
        Assert.Contains(expected, hook.Headers["webhook-signature"].Split(' '));
        var headers = new Microsoft.AspNetCore.Http.HeaderDictionary
        {
            ["webhook-id"] = id, ["webhook-timestamp"] = timestamp, ["webhook-signature"] = hook.Headers["webhook-signature"],
        };
        new StandardWebhook(EngagementFixture.WebhookSecret).Verify(hook.Body, headers); // throws when the signature is wrong
        Assert.True(await Eventually.TrueAsync(async () => await ScalarAsync<long>(Service,
            "select count(*) from webhook_deliveries where message_id = @id and state = 'delivered'", new { id }) == 1, TimeSpan.FromSeconds(5)));

        // The edition's start and end reach the endpoint too, once each, with its id.
        var sent = await EditionAsync();
        Assert.True(await Eventually.TrueAsync(() => EditionEvents.All(type =>
            fixture.Receiver.Received.Count(r => IsEditionEvent(r.Body, type, sent.Id)) == 1), TimeSpan.FromSeconds(15)),
            string.Join("\n", fixture.Receiver.Received.Select(r => r.Body)));
    }

    private sealed record SentEdition(long Id, IReadOnlyDictionary<string, ParsedEmail> Messages);

    /// <summary>The edition the tests share: sent once to two readers, both messages read back from smtp-sink.</summary>
    private async Task<SentEdition> EditionAsync()
    {
        await EditionLock.WaitAsync();
        try
        {
            edition ??= SendAsync();
        }
        finally
        {
            EditionLock.Release();
        }
        return await edition;
    }

    private async Task<SentEdition> SendAsync()
    {
        await InsertAsync(Service, "reader@example.com");
        await InsertAsync(Service, "leaver@example.com");
        using var api = Service.CreateApiClient();
        var id = await EngagementFixture.SendEditionAsync(api);
        Assert.True(await Eventually.TrueAsync(async () =>
            await ScalarAsync<string>(Service, "select state from editions where id = @id", new { id }) == "sent", TimeSpan.FromSeconds(30)),
            await ScalarAsync<string>(Service, "select state || ' ' || coalesce(reason, '') || ' ' || coalesce((select string_agg(state || ':' || coalesce(last_reply, ''), ', ') from deliveries where edition_id = @id), '') from editions where id = @id", new { id }));
        var messages = new Dictionary<string, ParsedEmail>();
        Assert.True(await Eventually.TrueAsync(() =>
        {
            foreach (var m in fixture.Sink.ReadMessages())
                foreach (var r in m.Recipients.Select(Address).Where(r => r is "reader@example.com" or "leaver@example.com"))
                    messages[r] = ParsedEmail.Parse(m.MessageBytes);
            return messages.Count == 2;
        }, TimeSpan.FromSeconds(10)));
        return new SentEdition(id, messages);
    }

    private static bool IsEditionEvent(string body, string type, long editionId)
    {
        using var doc = JsonDocument.Parse(body);
        return doc.RootElement.GetProperty("type").GetString() == type
               && doc.RootElement.GetProperty("data").GetProperty("editionId").GetInt64() == editionId;
    }

    // smtp-sink logs the RCPT TO argument: "<a@example.com>" and any parameters.
    private static string Address(string rcptArgs) => rcptArgs.Split(' ')[0].Trim('<', '>');

    private static async Task<JsonElement> ReportAsync(HttpClient api, long id)
    {
        using var response = await api.GetAsync($"/api/editions/{id}/report");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return doc.RootElement.Clone();
    }

    private static Task<HttpResponseMessage> GetAsync(HttpClient client, HttpMethod method, string path, string userAgent)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.TryAddWithoutValidation("User-Agent", userAgent);
        return client.SendAsync(request);
    }

    [GeneratedRegex("href=\"([^\"]+)\"")]
    private static partial Regex Hrefs();
}
