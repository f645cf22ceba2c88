using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Newsletter.TestSupport;
using Npgsql;

namespace Newsletter.EndToEnd.Tests;

/// <summary>
/// The whole path against real parts: the service as its own process (real Program), a real PostgreSQL that the
/// service migrates itself, and Postfix's smtp-sink as the SMTP peer, whose dumps are read back with Python's
/// email package.
/// </summary>
[Trait("Category", "Slow")] // a real service process, real time
public sealed partial class WalkingSkeletonTests
{
    [Fact]
    public async Task A_reader_subscribes_confirms_receives_an_edition_and_unsubscribes_in_one_click()
    {
        using var sink = SmtpSink.Start();
        var connectionString = await TestDatabases.CreateEmptyAsync();
        var port = ServiceProcess.FreePort();
        var environment = ServiceProcess.Settings(connectionString, port);
        environment["Smtp__Mode"] = "Smtp";
        environment["Smtp__Host"] = sink.Host;
        environment["Smtp__Port"] = sink.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        environment["Smtp__Security"] = "None";
        await using var service = await ServiceProcess.StartAsync(environment);
        try
        {
            await RunWalkingSkeletonAsync(service, sink, connectionString, port);
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException($"{e.GetType().Name}: {e.Message}\n--- service output ---\n{service.Output}", e);
        }
    }

    private static async Task RunWalkingSkeletonAsync(ServiceProcess service, SmtpSink sink, string connectionString, int port)
    {
        using var http = new HttpClient { BaseAddress = service.BaseUrl };
        using var api = new HttpClient { BaseAddress = service.BaseUrl };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ServiceProcess.ApiKey);
        await using var db = NpgsqlDataSource.Create(connectionString);

        // 1. The signup box posts the form.
        using (var signup = await http.PostAsync("/subscribe", new FormUrlEncodedContent(new Dictionary<string, string> { ["email"] = "Reader@Example.COM" })))
        {
            Assert.Equal(HttpStatusCode.Accepted, signup.StatusCode);
        }

        // 2. A confirmation mail with a link arrives at the SMTP server.
        var confirmation = Received(sink, 1)[0];
        Assert.True(confirmation.Recipients.Count == 1, "recipients in dump:\n" + confirmation.Raw);
        Assert.Contains("<Reader@example.com>", confirmation.Recipients[0], StringComparison.Ordinal);
        var confirmMail = ParsedEmail.Parse(confirmation.MessageBytes);
        var confirmUrl = ConfirmLink().Match(confirmMail.Text!).Value;
        Assert.StartsWith($"http://127.0.0.1:{port}/confirm/", confirmUrl, StringComparison.Ordinal);

        // 3. The link opens a page with one button (opening it confirms nothing); pressing the button confirms.
        string action;
        using (var page = await http.GetAsync(new Uri(confirmUrl)))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            action = FormAction().Match(await page.Content.ReadAsStringAsync()).Groups[1].Value;
        }
        Assert.Equal(new Uri(confirmUrl).AbsolutePath, action);
        Assert.Equal("pending", await Scalar<string>(db, "select status from subscribers where email_key = 'reader@example.com'"));
        using (var confirm = await http.PostAsync(action, new FormUrlEncodedContent([])))
        {
            Assert.Equal(HttpStatusCode.OK, confirm.StatusCode);
        }
        Assert.Equal("confirmed", await Scalar<string>(db, "select status from subscribers where email_key = 'reader@example.com'"));
        var welcome = ParsedEmail.Parse(Received(sink, 2)[1].MessageBytes);
        Assert.Contains("You're in", welcome.Header("Subject")!, StringComparison.Ordinal);

        // 4. The site publishes a comparison through the API.
        // Published a minute ago: the sample's own date would fall out of the selection's look-back one day.
        var comparison = (await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Find(), "samples", "comparisons", "01-codestral-2-vs-mistral-8x24b.json")))
            .Replace("2026-11-21T14:00:00+00:00", DateTimeOffset.UtcNow.AddMinutes(-2).ToString("O"), StringComparison.Ordinal);
        using (var post = await api.PostAsync("/api/comparisons", new StringContent(comparison, Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.Created, post.StatusCode);
        }

        // 5. Send now: an edition is created from the comparisons not yet sent, and sent.
        var edition = await SendNowAsync(api);
        Assert.Equal("sending", edition.GetProperty("state").GetString());
        var sent = await WaitForStateAsync(api, edition.GetProperty("id").GetInt64(), "sent");
        Assert.Equal(1, sent.GetProperty("deliveries").GetProperty("sent").GetInt64());

        // 6. The mail arrives with the comparison's tool names and a one-click List-Unsubscribe.
        var editionMessage = Received(sink, 3)[2];
        var editionMail = ParsedEmail.Parse(editionMessage.MessageBytes);
        Assert.Empty(editionMail.Defects);
        Assert.Contains("Codestral 2", editionMail.Html!, StringComparison.Ordinal);
        Assert.Contains("Mistral 8x24B", editionMail.Html!, StringComparison.Ordinal);
        Assert.Contains("Codestral 2", editionMail.Text!, StringComparison.Ordinal);
        Assert.Equal("List-Unsubscribe=One-Click", editionMail.Header("List-Unsubscribe-Post"));
        var unsubscribeUrl = editionMail.Header("List-Unsubscribe")!.Trim('<', '>');
        Assert.StartsWith($"http://127.0.0.1:{port}/unsubscribe/", unsubscribeUrl, StringComparison.Ordinal);

        // 7. The mail client's RFC 8058 one-click POST unsubscribes, without cookies or tokens.
        using (var oneClick = await new HttpClient().PostAsync(new Uri(unsubscribeUrl),
                   new StringContent("List-Unsubscribe=One-Click", Encoding.ASCII, "application/x-www-form-urlencoded")))
        {
            Assert.Equal(HttpStatusCode.OK, oneClick.StatusCode);
        }
        Assert.Equal("unsubscribed", await Scalar<string>(db, "select status from subscribers where email_key = 'reader@example.com'"));
        var goodbye = ParsedEmail.Parse(Received(sink, 4)[3].MessageBytes);
        Assert.DoesNotContain("Codestral", goodbye.Text!, StringComparison.Ordinal);

        // 8. A new comparison and a second send-now: the edition reaches nobody.
        var second = comparison.Replace("codestral-2-vs-mistral-8x24b", "codestral-2-vs-mistral-8x24b-rematch", StringComparison.Ordinal);
        using (var post = await api.PostAsync("/api/comparisons", new StringContent(second, Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.Created, post.StatusCode);
        }
        var secondEdition = await SendNowAsync(api);
        Assert.Equal(0, secondEdition.GetProperty("recipients").GetInt32());
        Assert.Equal("skipped", secondEdition.GetProperty("state").GetString());
        Assert.Equal("no confirmed subscribers", secondEdition.GetProperty("reason").GetString());
        // Nothing is left to send: no outbox mail and no delivery open.
        Assert.True(await Eventually.TrueAsync(async () => await Scalar<long>(db,
            """
            select (select count(*) from outbox where state in ('pending', 'sending', 'deferred'))
                 + (select count(*) from deliveries where state in ('pending', 'sending', 'deferred'))
            """) == 0, TimeSpan.FromSeconds(30)));
        Assert.Equal(4, sink.MessageCount);
    }

    [Fact]
    public async Task A_bad_connection_string_stops_the_service_with_one_clear_line()
    {
        var environment = ServiceProcess.Settings("Host=127.0.0.1;Port=1;Username=nobody;Database=none;Timeout=3", ServiceProcess.FreePort());
        var (code, output) = await ServiceProcess.RunCommandAsync(environment, "serve");
        Assert.NotEqual(0, code);
        var errors = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("database error:", StringComparison.Ordinal)).ToList();
        Assert.Single(errors);
        Assert.Contains("ConnectionStrings__Newsletter", errors[0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Site__BaseUrl", null, "Site__BaseUrl")]
    [InlineData("Site__BaseUrl", "not a url", "Site__BaseUrl")]
    [InlineData("Newsletter__FromAddress", "nobody", "Newsletter__FromAddress")]
    [InlineData("Subscribers__UnsubscribeKeys__0", null, "Subscribers__UnsubscribeKeys__0")]
    [InlineData("ConnectionStrings__Newsletter", null, "ConnectionStrings__Newsletter")]
    public async Task A_missing_or_bad_setting_stops_the_service_with_one_line_naming_it(string setting, string? value, string named)
    {
        var environment = ServiceProcess.Settings(await TestDatabases.CreateAsync(), ServiceProcess.FreePort());
        environment[setting] = value;
        if (value is null) environment.Remove(setting);
        var (code, output) = await ServiceProcess.RunCommandAsync(environment, "serve");
        Assert.Equal(2, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var line = Assert.Single(lines, l => l.StartsWith("configuration error:", StringComparison.Ordinal));
        Assert.Contains(named, line, StringComparison.Ordinal);
    }

    private static IReadOnlyList<SinkMessage> Received(SmtpSink sink, int count)
    {
        var messages = sink.WaitForMessages(count, TimeSpan.FromSeconds(30));
        Assert.True(messages.Count >= count, $"expected {count} messages at smtp-sink, got {messages.Count}");
        return messages;
    }

    private static async Task<JsonElement> SendNowAsync(HttpClient api)
    {
        using var response = await api.PostAsync("/api/editions/send-now", null);
        Assert.True(response.IsSuccessStatusCode, $"send-now answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task<JsonElement> WaitForStateAsync(HttpClient api, long id, string state)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var edition = await api.GetFromJsonAsync<JsonElement>($"/api/editions/{id}");
            if (edition.GetProperty("state").GetString() == state || DateTime.UtcNow > deadline) return edition;
            await Task.Delay(200);
        }
    }

    private static async Task<T> Scalar<T>(NpgsqlDataSource db, string sql)
    {
        await using var command = db.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    [GeneratedRegex("""<form method="post" action="([^"]+)">""")]
    private static partial Regex FormAction();

    [GeneratedRegex(@"http://127\.0\.0\.1:\d+/confirm/[A-Za-z0-9_-]{43}")]
    private static partial Regex ConfirmLink();
}
