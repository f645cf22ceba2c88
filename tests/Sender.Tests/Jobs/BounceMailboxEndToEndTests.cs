using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapper;
using Newsletter.Sender.Tests.Admin;
using Newsletter.Sender.Tests.Infrastructure;
using Newsletter.TestSupport;
using static Newsletter.TestSupport.SubscriberRows;

namespace Newsletter.Sender.Tests.Jobs;

/// <summary>
/// The whole loop with real peers: an edition goes to smtp-sink with VERP return paths, a Postfix-format DSN is built
/// from one delivered message and put into Dovecot's mailbox, the service's bounce mailbox reader finds it, that reader
/// is bounced and gets no further edition.
/// </summary>
public sealed class BounceMailboxEndToEndTests
{
    [Fact]
    public async Task A_dsn_for_a_delivered_edition_bounces_its_reader_who_gets_no_further_edition()
    {
        using var sink = SmtpSink.Start();
        using var dovecot = new Dovecot();
        using var service = await AdminTestSupport.CreateServiceAsync(new Dictionary<string, string?>
        {
            ["Smtp:Mode"] = "Smtp",
            ["Smtp:Host"] = sink.Host,
            ["Smtp:Port"] = sink.Port.ToString(CultureInfo.InvariantCulture),
            ["Smtp:Security"] = "None",
            ["Bounces:Address"] = "bounces@news.example.com",
            ["Bounces:Imap:Host"] = dovecot.Host,
            ["Bounces:Imap:Port"] = dovecot.Port.ToString(CultureInfo.InvariantCulture),
            ["Bounces:Imap:Security"] = "None",
            ["Bounces:Imap:Username"] = Dovecot.Username,
            ["Bounces:Imap:Password"] = Dovecot.Password,
            ["Bounces:Imap:PollInterval"] = "00:00:00.300",
        });
        await using (var c = await service.DataSource.OpenConnectionAsync())
        {
            await c.ExecuteAsync(
                """
                insert into subscribers (email, email_key, status, confirmed_at) values
                    ('stays@example.com', 'stays@example.com', 'confirmed', now() - interval '3 days'),
                    ('gone@example.com', 'gone@example.com', 'confirmed', now() - interval '3 days');
                insert into consents (subscriber_id, ip, source, consent_version) select id, '192.0.2.1', 'test', 'v1' from subscribers;
                """);
        }
        using var api = service.CreateApiClient();

        await PostSampleAsync(service, "01-codestral-2-vs-mistral-8x24b.json", "2026-11-21T14:00:00+00:00");
        var first = await SendAndWaitAsync(api);
        var delivered = sink.WaitForMessages(2, TimeSpan.FromSeconds(30));
        var toGone = delivered.Single(m => m.Recipients.Single().Contains("gone@example.com", StringComparison.Ordinal));
        var returnPath = Bracketed(toGone.MailFrom);
        Assert.StartsWith("bounces+e", returnPath, StringComparison.Ordinal);
        Assert.EndsWith("@news.example.com", returnPath, StringComparison.Ordinal);
        Assert.NotEqual(returnPath, Bracketed(delivered.Single(m => m != toGone).MailFrom));

        dovecot.Deliver("INBOX", PostfixDsn.Build(toGone.MessageBytes, returnPath, "gone@example.com",
            "550 5.1.1 <gone@example.com>: Recipient address rejected: User unknown in local recipient table"));

        Assert.True(await Eventually.TrueAsync(async () => await StatusAsync(service, "gone@example.com") == "bounced", TimeSpan.FromSeconds(20)));
        Assert.Equal("confirmed", await StatusAsync(service, "stays@example.com"));
        Assert.Equal(1L, await CountAsync(service, "bounces", $"source = 'mailbox' and kind = 'hard' and edition_id = {first}"));
        Assert.True(await Eventually.TrueAsync(() => dovecot.Count("Processed") == 1, TimeSpan.FromSeconds(10)));
        // The mailbox records that it answered after it moved what it read: on a busy machine that may be just after.
        string healthz = "";
        Assert.True(await Eventually.TrueAsync(async () =>
        {
            using var health = await service.CreateAnonymousClient().GetAsync("/healthz");
            healthz = await health.Content.ReadAsStringAsync();
            return healthz.Contains("\"bounceMailbox\":{\"lastAnsweredAt\":\"20", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(10)), healthz);
        // The console shows the bounce with its source and diagnostic, and the edition's count by kind.
        using var admin = await AdminTestSupport.SignedInClientAsync(service);
        var goneId = await ScalarAsync<long>(service, "select id from subscribers where email_key = 'gone@example.com'");
        var page = await admin.GetStringAsync($"/admin/subscribers/{goneId}");
        Assert.Contains("bounce mailbox", page, StringComparison.Ordinal);
        Assert.Contains("User unknown in local recipient table", page, StringComparison.Ordinal);
        var editionPage = await admin.GetStringAsync($"/admin/editions/{first}");
        Assert.Contains("Bounces and complaints", editionPage, StringComparison.Ordinal);
        Assert.Contains("Bounce mailbox", await admin.GetStringAsync("/admin"), StringComparison.Ordinal);

        sink.ClearMessages();
        await PostSampleAsync(service, "02-whisperline-3-vs-echoscribe-pro.json", "2026-11-20T09:30:00+00:00");
        await SendAndWaitAsync(api);
        var second = sink.WaitForMessages(1, TimeSpan.FromSeconds(30));
        Assert.Equal(["<stays@example.com>"], second.SelectMany(m => m.Recipients).Select(r => r.Split(' ')[0]));

        // Transactional mail has a return path of its own kind, naming the subscriber and no edition.
        sink.ClearMessages();
        using (var signup = await service.CreateAnonymousClient().PostAsync("/subscribe", new StringContent("""{"email":"new@example.com"}""", Encoding.UTF8, "application/json")))
            Assert.Equal(HttpStatusCode.Accepted, signup.StatusCode);
        var confirmation = sink.WaitForMessages(1, TimeSpan.FromSeconds(30)).Single();
        var verp = new Newsletter.Subscribers.VerpAddresses("bounces@news.example.com", [ServiceFactory.UnsubscribeKey]);
        Assert.Equal(Newsletter.Subscribers.VerpResult.Valid, verp.TryRead(Bracketed(confirmation.MailFrom), out var token));
        Assert.Equal(new Newsletter.Subscribers.VerpToken(await ScalarAsync<long>(service, "select id from subscribers where email_key = 'new@example.com'"), null), token);
    }

    private static string Bracketed(string mailArgs) => mailArgs[(mailArgs.IndexOf('<', StringComparison.Ordinal) + 1)..mailArgs.IndexOf('>', StringComparison.Ordinal)];

    private static async Task PostSampleAsync(ServiceFactory service, string file, string published)
    {
        using var api = service.CreateApiClient();
        var json = (await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Find(), "samples", "comparisons", file)))
            .Replace(published, DateTimeOffset.UtcNow.AddMinutes(-2).ToString("O"), StringComparison.Ordinal);
        using var response = await api.PostAsync("/api/comparisons", new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task<long> SendAndWaitAsync(HttpClient api)
    {
        using var send = await api.PostAsync("/api/editions/send-now", null);
        Assert.True(send.StatusCode == HttpStatusCode.Created, await send.Content.ReadAsStringAsync());
        var id = (await send.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        JsonElement edition = default;
        Assert.True(await Eventually.TrueAsync(async () =>
        {
            edition = await api.GetFromJsonAsync<JsonElement>($"/api/editions/{id}");
            return edition.GetProperty("state").GetString() == "sent";
        }, TimeSpan.FromSeconds(30)), $"edition {id} was not sent: {edition}");
        return id;
    }
}
