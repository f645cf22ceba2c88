using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Dapper;
using Newsletter.Sender.Admin;
using Newsletter.Sender.Admin.Pages;
using Newsletter.Sender.Tests.Infrastructure;
using Newsletter.TestSupport;

namespace Newsletter.Sender.Tests.Admin;

/// <summary>The console's pages and forms against the real service (mail to a pickup directory, scheduler off).</summary>
public sealed class AdminPagesTests
{
    private static async Task PostSampleAsync(ServiceFactory service, string file, string published, int minutesAgo)
    {
        using var api = service.CreateApiClient();
        var json = (await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Find(), "samples", "comparisons", file)))
            .Replace(published, DateTimeOffset.UtcNow.AddMinutes(-minutesAgo).ToString("O"), StringComparison.Ordinal);
        using var response = await api.PostAsync("/api/comparisons", new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task SeedTwoComparisonsAsync(ServiceFactory service)
    {
        await PostSampleAsync(service, "01-codestral-2-vs-mistral-8x24b.json", "2026-11-21T14:00:00+00:00", 2);
        await PostSampleAsync(service, "02-whisperline-3-vs-echoscribe-pro.json", "2026-11-20T09:30:00+00:00", 3);
        await using var c = await service.DataSource.OpenConnectionAsync();
        await c.ExecuteAsync(
            """
            insert into subscribers (email, email_key, status, confirmed_at) values ('a@example.com', 'a@example.com', 'confirmed', now() - interval '3 days');
            insert into consents (subscriber_id, ip, source, consent_version) select id, '192.0.2.1', 'test', 'v1' from subscribers;
            """);
    }

    [Fact]
    public async Task Every_console_page_renders_for_a_signed_in_admin()
    {
        using var service = await AdminTestSupport.CreateServiceAsync();
        await SeedTwoComparisonsAsync(service);
        using var client = await AdminTestSupport.SignedInClientAsync(service);
        var id = await service.DataSource.CreateCommand("select id from subscribers").ExecuteScalarAsync();

        foreach (var path in new[]
                 {
                     "/admin", "/admin/preview", "/admin/preview/frame?width=375&scheme=light", "/admin/preview/spam", "/admin/preview/send",
                     "/admin/editions", "/admin/subscribers", "/admin/subscribers?q=a%40&status=confirmed", $"/admin/subscribers/{id}",
                     $"/admin/subscribers/{id}/erase", "/admin/subscribers/export.csv", "/admin/comparisons?status=unsent", "/admin/jobs",
                 })
        {
            using var response = await client.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode}\n{await response.Content.ReadAsStringAsync()}");
        }
        var preview = WebUtility.HtmlDecode(await client.GetStringAsync("/admin/preview"));
        Assert.Contains("Codestral 2 vs Mistral 8x24B + 1 more verdict", preview, StringComparison.Ordinal);
        Assert.Contains("src=\"/admin/preview/frame?width=600&scheme=dark\"", preview, StringComparison.Ordinal);
        Assert.Contains("sandbox=", preview, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", preview, StringComparison.Ordinal);
        Assert.DoesNotContain(" style=", preview, StringComparison.Ordinal);
        var frame = await client.GetStringAsync("/admin/preview/frame?width=600&scheme=light");
        Assert.Contains("Whisperline 3", frame, StringComparison.Ordinal);
        Assert.Contains("reader@example.com", frame, StringComparison.Ordinal);
        Assert.DoesNotContain("{{{", frame, StringComparison.Ordinal);
        // The Jobs page is Hangfire's dashboard: with Schedule__Enabled=false the weekly job is not stored, the purge is.
        Assert.True(await Eventually.TrueAsync(async () => (await client.GetStringAsync("/admin/jobs/recurring")).Contains(Newsletter.Sender.Jobs.SubscriberPurgeJob.Id, StringComparison.Ordinal),
            TimeSpan.FromSeconds(20)), "the purge's recurring job is not listed");
        Assert.DoesNotContain(Newsletter.Sender.Jobs.WeeklyEditionJob.Id, await client.GetStringAsync("/admin/jobs/recurring"), StringComparison.Ordinal);
        Assert.Contains("Scheduler off", await client.GetStringAsync("/admin"), StringComparison.Ordinal);
        var spam = await client.GetStringAsync("/admin/preview/spam");
        Assert.Contains(SpamCheck.Installed ? "Score" : "not installed", spam, StringComparison.Ordinal);
        // Previewing consumed nothing and created no edition.
        await using var c = await service.DataSource.OpenConnectionAsync();
        Assert.Equal(0L, await c.ExecuteScalarAsync<long>("select count(*) from editions"));
    }

    [Fact]
    public async Task The_progress_of_an_edition_counts_its_deliveries_and_asks_large_editions_to_be_polled_less_often()
    {
        using var service = await AdminTestSupport.CreateServiceAsync();
        await AdminTestSupport.SeedAsync(service.DataSource);
        using var client = await AdminTestSupport.SignedInClientAsync(service);

        using (var small = System.Text.Json.JsonDocument.Parse(await client.GetStringAsync("/admin/editions/1/progress.json")))
        {
            var p = small.RootElement;
            Assert.Equal("sent", p.GetProperty("state").GetString());
            Assert.Equal(1, p.GetProperty("failed").GetInt64());
            Assert.Equal(0, p.GetProperty("sent").GetInt64());
            Assert.True(p.GetProperty("done").GetBoolean());
            Assert.Equal(2, p.GetProperty("pollSeconds").GetInt32());
        }

        // Each answer counts every delivery of the edition: a million-recipient send is asked about every 15 s, not 2.
        await using (var c = await service.DataSource.OpenConnectionAsync())
            await c.ExecuteAsync("update editions set state = 'sending', finished_at = null, recipients = 1000000 where id = 1");
        using (var large = System.Text.Json.JsonDocument.Parse(await client.GetStringAsync("/admin/editions/1/progress.json")))
        {
            Assert.False(large.RootElement.GetProperty("done").GetBoolean());
            Assert.Equal(15, large.RootElement.GetProperty("pollSeconds").GetInt32());
        }
        Assert.Equal([2, 2, 2, 4, 10, 15, 15], new long[] { 0, 1, 100_000, 100_001, 500_000, 1_000_000, 5_000_000 }.Select(AdminQueries.ProgressPollSeconds));
    }

    [Fact]
    public async Task A_test_send_goes_to_each_valid_address_marked_as_a_test_and_consumes_nothing()
    {
        using var service = await AdminTestSupport.CreateServiceAsync();
        await SeedTwoComparisonsAsync(service);
        using var client = await AdminTestSupport.SignedInClientAsync(service);
        async Task<HttpResponseMessage> SendAsync(string addresses)
        {
            var token = AdminTestSupport.CsrfToken(await client.GetStringAsync("/admin/preview"));
            return await client.PostAsync("/admin/preview/test", AdminTestSupport.Form(("__csrf", token), ("addresses", addresses)));
        }

        using var tooMany = await SendAsync(string.Join(",", Enumerable.Range(1, 11).Select(i => $"t{i}@example.com")));
        using var invalid = await SendAsync("qa@example.com, not-an-address");
        using var injected = await SendAsync("qa@example.com\r\nBcc: victim@example.com");
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.Contains("At most 10", await tooMany.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Contains("not-an-address", await invalid.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, injected.StatusCode);
        Assert.Empty(service.OutboxFiles());

        using var ok = await SendAsync("qa@example.com, Lead@Example.com");
        Assert.Equal(HttpStatusCode.SeeOther, ok.StatusCode);
        Assert.Equal("/admin/preview?tested=2", ok.Headers.Location?.OriginalString);
        var files = await service.WaitForMailAsync(2);
        Assert.Equal(2, files.Count);
        var mails = files.Select(f => ParsedEmail.Parse(File.ReadAllBytes(f))).ToList();
        Assert.All(mails, m => Assert.StartsWith("[TEST] Codestral 2 vs Mistral 8x24B", m.Header("Subject"), StringComparison.Ordinal));
        Assert.All(mails, m => Assert.Equal("yes", m.Header("X-Newsletter-Test")));
        Assert.Contains(mails, m => m.Header("To")!.Contains("qa@example.com", StringComparison.Ordinal));
        await using var c = await service.DataSource.OpenConnectionAsync();
        Assert.Equal(0L, await c.ExecuteScalarAsync<long>("select count(*) from editions"));
        Assert.Contains("Codestral 2 vs Mistral 8x24B + 1 more verdict", WebUtility.HtmlDecode(await client.GetStringAsync("/admin/preview")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Excluding_a_comparison_is_stored_on_a_draft_and_the_preview_follows_it()
    {
        using var service = await AdminTestSupport.CreateServiceAsync();
        await SeedTwoComparisonsAsync(service);
        using var client = await AdminTestSupport.SignedInClientAsync(service);
        await using var c = await service.DataSource.OpenConnectionAsync();
        var ids = (await c.QueryAsync<long>("select id from comparisons order by published_at desc")).ToList();

        var token = AdminTestSupport.CsrfToken(await client.GetStringAsync("/admin/preview"));
        using var save = await client.PostAsync("/admin/preview/order", AdminTestSupport.Form(
            ("__csrf", token), ("id", ids[0].ToString(CultureInfo.InvariantCulture)), ("id", ids[1].ToString(CultureInfo.InvariantCulture)),
            ($"position-{ids[0]}", "2"), ($"position-{ids[1]}", "1"), ("include", ids[1].ToString(CultureInfo.InvariantCulture))));

        Assert.Equal(HttpStatusCode.SeeOther, save.StatusCode);
        var draft = await c.QuerySingleAsync<long>("select id from editions where state = 'draft'");
        var rows = (await c.QueryAsync<(long Id, int Position, bool Excluded)>(
            "select comparison_id, position, excluded from edition_comparisons where edition_id = @draft order by position", new { draft })).ToList();
        Assert.Equal([(ids[1], 0, false), (ids[0], 1, true)], rows);
        var preview = WebUtility.HtmlDecode(await client.GetStringAsync("/admin/preview?saved=1"));
        Assert.Contains("Whisperline 3 vs EchoScribe Pro: the panel's verdict", preview, StringComparison.Ordinal);
        // "Send now" sends the saved draft: only the included comparison, and the edition is the draft itself.
        var confirm = WebUtility.HtmlDecode(await client.GetStringAsync("/admin/preview/send"));
        Assert.Contains("Whisperline 3 vs EchoScribe Pro: the panel's verdict", confirm, StringComparison.Ordinal);
        Assert.DoesNotContain("Codestral 2", confirm, StringComparison.Ordinal);
        using var send = await client.PostAsync("/admin/preview/send", AdminTestSupport.Form(
            ("__csrf", AdminTestSupport.CsrfToken(confirm)), ("confirm", "yes")));
        Assert.Equal(HttpStatusCode.SeeOther, send.StatusCode);
        Assert.Equal("sending", await c.QuerySingleAsync<string>("select state from editions where id = @draft", new { draft }));
        Assert.Equal([ids[1]], (await c.QueryAsync<long>("select comparison_id from edition_comparisons where edition_id = @draft", new { draft })).ToList());
    }

    [Fact]
    public async Task An_upload_is_checked_with_the_same_messages_as_the_api_and_a_valid_one_is_imported()
    {
        using var service = await AdminTestSupport.CreateServiceAsync();
        using var client = await AdminTestSupport.SignedInClientAsync(service);
        var sample = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Find(), "samples", "comparisons", "02-whisperline-3-vs-echoscribe-pro.json"));
        async Task<HttpResponseMessage> UploadAsync(params (string Name, string Content, string Type)[] files)
        {
            var token = AdminTestSupport.CsrfToken(await client.GetStringAsync("/admin/comparisons"));
            var form = new MultipartFormDataContent { { new StringContent(token), "__csrf" } };
            foreach (var (name, content, type) in files)
            {
                var part = new ByteArrayContent(Encoding.UTF8.GetBytes(content));
                part.Headers.ContentType = new MediaTypeHeaderValue(type);
                form.Add(part, "files", name);
            }
            return await client.PostAsync("/admin/comparisons/import", form);
        }

        using var bad = await UploadAsync(("broken.json", "{\"slug\": \"a\",\n \"title\": }", "application/json"), ("page.txt", "AI tool comparison\nno title here\n", "text/plain"));
        var badHtml = await bad.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("$.title", badHtml, StringComparison.Ordinal);
        Assert.Contains("line 2", badHtml, StringComparison.Ordinal);
        using var good = await UploadAsync(("02.json", sample, "application/json"));
        Assert.Equal(HttpStatusCode.OK, good.StatusCode);
        Assert.Contains("created (whisperline-3-vs-echoscribe-pro)", await good.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await using var c = await service.DataSource.OpenConnectionAsync();
        Assert.Equal(1L, await c.ExecuteScalarAsync<long>("select count(*) from comparisons"));
    }

    [Fact]
    public async Task The_subscriber_search_finds_names_as_well_as_addresses_and_the_export_follows_it()
    {
        using var service = await AdminTestSupport.CreateServiceAsync();
        using var client = await AdminTestSupport.SignedInClientAsync(service);
        await using var c = await service.DataSource.OpenConnectionAsync();
        await c.ExecuteAsync(
            """
            insert into subscribers (email, email_key, name, status, confirmed_at) values
              ('ada@example.com', 'ada@example.com', 'Ada Lovelace', 'confirmed', now()), ('grace@example.com', 'grace@example.com', 'Grace Hopper', 'confirmed', now());
            """);

        var byName = await client.GetStringAsync("/admin/subscribers?q=lovelace");
        var byAddress = await client.GetStringAsync("/admin/subscribers?q=grace%40");
        var csv = await client.GetStringAsync("/admin/subscribers/export.csv?q=LOVELACE");

        Assert.Contains("ada@example.com", byName, StringComparison.Ordinal);
        Assert.DoesNotContain("grace@example.com", byName, StringComparison.Ordinal);
        Assert.Contains("grace@example.com", byAddress, StringComparison.Ordinal);
        Assert.DoesNotContain("ada@example.com", byAddress, StringComparison.Ordinal);
        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Contains(",ada@example.com,confirmed,", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_console_stylesheet_and_script_are_served_at_their_static_asset_addresses()
    {
        using var service = await AdminTestSupport.CreateServiceAsync();
        using var client = service.CreateClient();

        using var css = await client.GetAsync(AdminFormat.StylesheetUrl);
        using var js = await client.GetAsync(AdminFormat.ScriptUrl);

        Assert.Equal(HttpStatusCode.OK, css.StatusCode);
        Assert.Equal("text/css", css.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, js.StatusCode);
        Assert.Contains("javascript", js.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        var assets = Path.Combine(RepositoryRoot.Find(), "src", "Sender", "Admin", "Assets");
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(assets, "admin.css")), await css.Content.ReadAsByteArrayAsync());
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(assets, "admin.js")), await js.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task The_csv_export_follows_the_filter_and_neutralises_formulas()
    {
        using var service = await AdminTestSupport.CreateServiceAsync();
        using var client = await AdminTestSupport.SignedInClientAsync(service);
        await using var c = await service.DataSource.OpenConnectionAsync();
        await c.ExecuteAsync(
            """
            insert into subscribers (email, email_key, status, confirmed_at) values
              ('=cmd@example.com', '=cmd@example.com', 'confirmed', now()), ('b@example.com', 'b@example.com', 'confirmed', now()),
              ('p@example.com', 'p@example.com', 'pending', null);
            """);

        using var response = await client.GetAsync("/admin/subscribers/export.csv?status=confirmed");
        var csv = await response.Content.ReadAsStringAsync();

        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("id,email,status,created_at,confirmed_at", lines[0]);
        Assert.Equal(3, lines.Length);
        Assert.Contains(lines, l => l.Contains(",'=cmd@example.com,confirmed,", StringComparison.Ordinal));
        Assert.DoesNotContain("p@example.com", csv, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_edition_buttons_call_the_edition_service_and_refuse_what_the_state_does_not_allow()
    {
        using var service = await AdminTestSupport.CreateServiceAsync();
        using var client = await AdminTestSupport.SignedInClientAsync(service);
        await using var c = await service.DataSource.OpenConnectionAsync();
        var id = await c.ExecuteScalarAsync<long>("insert into editions (state, cutoff) values ('draft', now()) returning id");
        async Task<HttpResponseMessage> PostAsync(string action)
        {
            var token = AdminTestSupport.CsrfToken(await client.GetStringAsync($"/admin/editions/{id}"));
            return await client.PostAsync($"/admin/editions/{id}/{action}", AdminTestSupport.Form(("__csrf", token)));
        }

        using var pause = await PostAsync("pause");
        using var cancel = await PostAsync("cancel");

        Assert.Equal(HttpStatusCode.Conflict, pause.StatusCode);
        Assert.Equal(HttpStatusCode.SeeOther, cancel.StatusCode);
        Assert.Equal("cancelled", await c.ExecuteScalarAsync<string>("select state from editions where id = @id", new { id }));
        Assert.Contains("cancelled by editor", await c.ExecuteScalarAsync<string>("select reason from editions where id = @id", new { id }), StringComparison.Ordinal);
    }

    [Fact]
    public void Spam_assassin_reports_are_read_for_the_score_and_the_rules_hit()
    {
        const string report = """
            X-Spam-Checker-Version: SpamAssassin 4.0.0 (2022-12-13) on host
            X-Spam-Status: No, score=1.3 required=5.0 tests=HTML_MESSAGE,MIME_HTML_MOSTLY
            Content analysis details:   (1.3 points, 5.0 required)

             pts rule name              description
            ---- ---------------------- --------------------------------------------------
             0.0 HTML_MESSAGE           BODY: HTML included in message
             1.3 MIME_HTML_MOSTLY       BODY: Multipart message mostly text/html MIME
                                        with a long continuation
            -0.1 DKIM_VALID             Message has at least one valid DKIM or DK signature
            """;

        var model = SpamCheck.Parse(report, "subject");

        Assert.Equal(1.3, model.Score);
        Assert.Equal(5.0, model.Required);
        Assert.Equal(["HTML_MESSAGE", "MIME_HTML_MOSTLY", "DKIM_VALID"], model.Rules.Select(r => r.Name));
        Assert.Equal(-0.1, model.Rules[2].Score);
        Assert.EndsWith("with a long continuation", model.Rules[1].Description, StringComparison.Ordinal);
    }
}
