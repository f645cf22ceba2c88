using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapper;
using Newsletter.Sender.Tests.Admin;
using Newsletter.Sender.Tests.Infrastructure;
using Newsletter.Templates;
using Newsletter.TestSupport;

namespace Newsletter.Sender.Tests.Editions;

/// <summary>
/// Operator templates in Templates__Directory against the real service, with Postfix's smtp-sink as the relay and
/// Python's email package reading what arrived: overrides are picked up and dropped without a restart, and a broken
/// template never sends.
/// </summary>
public sealed class TemplateOverrideTests : IDisposable
{
    private const string ExtraLine = "Printed on recycled electrons.";

    private readonly string directory = Path.Combine(Path.GetTempPath(), "newsletter-templates-" + Guid.NewGuid().ToString("N"));

    public TemplateOverrideTests() => Directory.CreateDirectory(directory);

    public void Dispose()
    {
        try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task A_footer_override_reaches_the_reader_and_removing_it_brings_the_default_back_without_a_restart()
    {
        using var sink = SmtpSink.Start();
        using var service = await StartAsync(sink);
        using var api = service.CreateApiClient();

        // The shipped footer with one more line: only the footer changes.
        var footer = Encoding.UTF8.GetString(EmailTemplates.DefaultContent(EmailTemplates.Footer))
            .Replace("<p style=\"margin:0;\">@Model.Site.NewsletterName", $"<p style=\"margin:0 0 10px 0;\">{ExtraLine}</p>\n<p style=\"margin:0;\">@Model.Site.NewsletterName", StringComparison.Ordinal);
        await File.WriteAllTextAsync(Path.Combine(directory, EmailTemplates.Footer), footer);
        await PostSampleAsync(service, "01-codestral-2-vs-mistral-8x24b.json", "2026-11-21T14:00:00+00:00");
        await SendAndWaitAsync(api, "sent");
        var first = ParsedEmail.Parse(sink.WaitForMessages(1, TimeSpan.FromSeconds(20))[0].MessageBytes);
        Assert.Empty(first.Defects);
        Assert.Contains(ExtraLine, first.Html!, StringComparison.Ordinal);
        Assert.Contains("Codestral 2", first.Html!, StringComparison.Ordinal);
        Assert.Contains("1 Test Street, Testville 12345", first.Html!, StringComparison.Ordinal);
        Assert.Contains("/unsubscribe/", first.Html!, StringComparison.Ordinal);

        File.Delete(Path.Combine(directory, EmailTemplates.Footer));
        await PostSampleAsync(service, "02-whisperline-3-vs-echoscribe-pro.json", "2026-11-20T09:30:00+00:00");
        await SendAndWaitAsync(api, "sent");
        var second = ParsedEmail.Parse(sink.WaitForMessages(2, TimeSpan.FromSeconds(20))[1].MessageBytes);
        Assert.Contains("Whisperline 3", second.Html!, StringComparison.Ordinal);
        Assert.DoesNotContain(ExtraLine, second.Html!, StringComparison.Ordinal);
        Assert.Contains("1 Test Street, Testville 12345", second.Html!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_template_with_a_syntax_error_is_shown_in_the_preview_refused_by_send_now_and_sends_once_fixed()
    {
        using var sink = SmtpSink.Start();
        using var service = await StartAsync(sink);
        using var api = service.CreateApiClient();
        using var admin = await AdminTestSupport.SignedInClientAsync(service);
        await PostSampleAsync(service, "01-codestral-2-vs-mistral-8x24b.json", "2026-11-21T14:00:00+00:00");

        // Line 4 opens a code block that never closes.
        var path = Path.Combine(directory, EmailTemplates.Edition);
        var good = Encoding.UTF8.GetString(EmailTemplates.DefaultContent(EmailTemplates.Edition));
        var lines = good.Split('\n').ToList();
        lines.Insert(3, "@if (Model.WebVersion) {");
        await File.WriteAllTextAsync(path, string.Join('\n', lines));

        using (var preview = await admin.GetAsync("/admin/preview"))
        {
            var page = WebUtility.HtmlDecode(await preview.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.UnprocessableEntity, preview.StatusCode);
            Assert.Contains("template Edition.cshtml line ", page, StringComparison.Ordinal);
        }
        var templates = WebUtility.HtmlDecode(await admin.GetStringAsync("/admin/templates"));
        Assert.Contains("template Edition.cshtml line ", templates, StringComparison.Ordinal);
        Assert.Contains("override", templates, StringComparison.Ordinal);

        using (var refused = await api.PostAsync("/api/editions/send-now", null))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
            Assert.StartsWith("template Edition.cshtml line ", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            var failedId = problem.GetProperty("edition").GetInt64();
            using var failed = await api.GetAsync($"/api/editions/{failedId}");
            var edition = await failed.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("failed", edition.GetProperty("state").GetString());
            Assert.StartsWith("template Edition.cshtml line ", edition.GetProperty("reason").GetString(), StringComparison.Ordinal);
            // The console shows the failed edition with the reason.
            using var page = await admin.GetAsync($"/admin/editions/{failedId}");
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            var html = WebUtility.HtmlDecode(await page.Content.ReadAsStringAsync());
            Assert.Contains("failed", html, StringComparison.Ordinal);
            Assert.Contains("template Edition.cshtml line ", html, StringComparison.Ordinal);
        }
        await using (var c = await service.DataSource.OpenConnectionAsync())
        {
            Assert.Equal(0L, await c.ExecuteScalarAsync<long>("select count(*) from deliveries"));
        }

        // Fixed: the same comparison goes out, and it is the only message the relay ever saw.
        await File.WriteAllTextAsync(path, good);
        var sent = await SendAndWaitAsync(api, "sent");
        Assert.Equal(1L, sent.GetProperty("recipients").GetInt64());
        var mail = ParsedEmail.Parse(sink.WaitForMessages(1, TimeSpan.FromSeconds(20))[0].MessageBytes);
        Assert.Contains("Codestral 2", mail.Html!, StringComparison.Ordinal);
        Assert.Equal(1, sink.MessageCount);
    }

    [Fact]
    public async Task A_confirmation_whose_template_is_broken_waits_deferred_with_the_reason_and_goes_out_once_fixed()
    {
        using var sink = SmtpSink.Start();
        using var service = await StartAsync(sink);
        var path = Path.Combine(directory, EmailTemplates.Confirmation);
        await File.WriteAllTextAsync(path, "@model ConfirmationTemplateModel\n@{ Layout = \"_Layout.cshtml\"; }\n<p>@Model.NoSuchProperty</p>\n");

        using var http = service.CreateAnonymousClient();
        using (var signup = await http.PostAsync("/subscribe", new FormUrlEncodedContent(new Dictionary<string, string> { ["email"] = "reader@example.org" })))
        {
            Assert.Equal(HttpStatusCode.Accepted, signup.StatusCode);
        }
        await using var c = await service.DataSource.OpenConnectionAsync();
        Assert.True(await Eventually.TrueAsync(async () =>
            await c.ExecuteScalarAsync<string?>("select last_reply from outbox where state = 'deferred'") is { } reply
            && reply.StartsWith("template Confirmation.cshtml line 3: ", StringComparison.Ordinal), TimeSpan.FromSeconds(20)),
            "the confirmation is not deferred with the template error");
        Assert.Equal(0, sink.MessageCount);

        File.Delete(path);
        var mail = ParsedEmail.Parse(sink.WaitForMessages(1, TimeSpan.FromSeconds(30))[0].MessageBytes);
        Assert.Contains("Confirm your subscription", mail.Html!, StringComparison.Ordinal);
    }

    /// <summary>The service sending to the sink, templates from the test's folder, and one confirmed reader.</summary>
    private async Task<ServiceFactory> StartAsync(SmtpSink sink)
    {
        var service = await AdminTestSupport.CreateServiceAsync(new Dictionary<string, string?>
        {
            ["Templates:Directory"] = directory,
            ["Smtp:Mode"] = "Smtp",
            ["Smtp:Host"] = sink.Host,
            ["Smtp:Port"] = sink.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Smtp:Security"] = "None",
            ["Delivery:RetryBaseDelay"] = "00:00:01",
        });
        await using var c = await service.DataSource.OpenConnectionAsync();
        await c.ExecuteAsync(
            """
            insert into subscribers (email, email_key, status, confirmed_at) values ('a@example.com', 'a@example.com', 'confirmed', now() - interval '3 days');
            insert into consents (subscriber_id, ip, source, consent_version) select id, '192.0.2.1', 'test', 'v1' from subscribers;
            """);
        return service;
    }

    private static async Task PostSampleAsync(ServiceFactory service, string file, string published)
    {
        using var api = service.CreateApiClient();
        var json = (await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Find(), "samples", "comparisons", file)))
            .Replace(published, DateTimeOffset.UtcNow.AddMinutes(-2).ToString("O"), StringComparison.Ordinal);
        using var response = await api.PostAsync("/api/comparisons", new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task<JsonElement> SendAndWaitAsync(HttpClient api, string state)
    {
        using var send = await api.PostAsync("/api/editions/send-now", null);
        Assert.True(send.StatusCode == HttpStatusCode.Created, await send.Content.ReadAsStringAsync());
        var id = (await send.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        JsonElement edition = default;
        Assert.True(await Eventually.TrueAsync(async () =>
        {
            edition = await api.GetFromJsonAsync<JsonElement>($"/api/editions/{id}");
            return edition.GetProperty("state").GetString() == state;
        }, TimeSpan.FromSeconds(30)), $"edition {id} did not reach {state}: {edition}");
        return edition;
    }
}
