using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Newsletter.Sender.Tests.Infrastructure;
using Newsletter.Subscribers;
using Newsletter.TestSupport;
using static Newsletter.Sender.Tests.Infrastructure.SubscriberTestData;
using static Newsletter.TestSupport.SubscriberRows;

namespace Newsletter.Sender.Tests.Api;

/// <summary>CSV import (COPY + set-based merge) and streamed export.</summary>
public sealed class ImportExportTests
{
    private static readonly string[] SuppressedAndConfirmed = ["unsubscribed", "bounced", "complained", "confirmed", "erased"];

    [Fact]
    public async Task Rows_with_consent_evidence_come_in_confirmed_and_rows_without_come_in_pending_with_a_confirmation_mail()
    {
        using var service = await ServiceFactory.CreateAsync();
        using var api = service.CreateApiClient();

        using var response = await api.PostAsync("/api/subscribers/import", Csv(
            "email,name,consented_at,consent_source\r\n" +
            "with.consent@example.com,Ada,2025-03-01T12:00:00Z,old newsletter form\r\n" +
            "no.consent@example.com,\"Lovelace, Ada\",,\r\n"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, body.GetProperty("createdConfirmed").GetInt32());
        Assert.Equal(1, body.GetProperty("createdPending").GetInt32());
        Assert.Equal("confirmed", await StatusAsync(service, "with.consent@example.com"));
        Assert.Equal("pending", await StatusAsync(service, "no.consent@example.com"));
        Assert.Equal(1L, await CountAsync(service, "consents c join subscribers s on s.id = c.subscriber_id",
            "s.email_key = 'with.consent@example.com' and c.source = 'import: old newsletter form' and c.signed_up_at = '2025-03-01T12:00:00Z'"));
        Assert.Equal("Lovelace, Ada", await ScalarAsync<string>(service, "select name from subscribers where email_key = 'no.consent@example.com'"));
        Assert.Equal(0L, await CountAsync(service, "outbox", "recipient = 'with.consent@example.com'"));

        // The pending row gets a working double opt-in link.
        var mail = ParsedEmail.Parse(await File.ReadAllBytesAsync((await service.WaitForMailAsync(1)).Single()));
        Assert.Contains("no.consent@example.com", mail.Header("To")!, StringComparison.Ordinal);
        var link = System.Text.RegularExpressions.Regex.Match(mail.Text!, @"https://news\.example\.com/confirm/[A-Za-z0-9_-]{43}").Value;
        using var anonymous = service.CreateAnonymousClient();
        using (var confirm = await anonymous.PostAsync(new Uri(link).AbsolutePath, new FormUrlEncodedContent([])))
        {
            Assert.Equal(HttpStatusCode.OK, confirm.StatusCode);
        }
        Assert.Equal("confirmed", await StatusAsync(service, "no.consent@example.com"));
    }

    [Fact]
    public async Task Suppressed_addresses_are_never_reactivated_and_existing_confirmed_rows_stay_as_they_are()
    {
        using var service = await ServiceFactory.CreateAsync();
        foreach (var status in new[] { "unsubscribed", "bounced", "complained", "confirmed" })
            await InsertAsync(service, $"{status}@example.com", status);
        await using (var connection = await service.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("insert into suppressions (email_hash, reason) values (@hash, 'erased')",
                new { hash = SubscriberService.EmailHash("erased@example.com") });
        }
        var admin = service.Services.GetRequiredService<SubscriberAdmin>();
        var csv = "email,consented_at,consent_source\n" + string.Concat(
            SuppressedAndConfirmed.Select(s => $"{s}@example.com,2025-01-01,list\n"))
            + "pending.new@example.com,,\n";

        var result = await service.Services.GetRequiredService<SubscriberImporter>().ImportAsync(new StringReader(csv), CancellationToken.None);

        Assert.Equal(4, result.Suppressed);
        Assert.Equal(1, result.Unchanged);
        Assert.Equal(1, result.Created);
        foreach (var status in new[] { "unsubscribed", "bounced", "complained", "confirmed" })
            Assert.Equal(status, await StatusAsync(service, $"{status}@example.com"));
        Assert.Null(await StatusAsync(service, "erased@example.com"));
        Assert.Equal(1L, await CountAsync(service, "outbox"));
        Assert.Equal(1L, await CountAsync(service, "consents"));
        Assert.Equal(0, (await admin.SearchAsync("erased@", null, 1)).Total);
    }

    [Fact]
    public async Task Invalid_rows_are_reported_by_line_number_and_skipped_while_the_rest_is_imported()
    {
        using var service = await ServiceFactory.CreateAsync();
        using var api = service.CreateApiClient();
        var csv =
            "Email,Name,Consented_At,Consent_Source,favourite_colour\n" + // line 1
            "ok1@example.com,,,\n" +                                      // 2
            "not an address,,,\n" +                                       // 3
            "a@b.com\r\nBcc: x@example.com,,,\n" +                        // 4 and 5: an unquoted CRLF ends the record, so line 5 is a row of its own
            "ok2@example.com,,2025-01-01,\n" +                            // 6: half the evidence
            "ok3@example.com,,someday,form\n" +                           // 7
            "\"ok4@example.com\",\"Bob \"\"the builder\"\"\",2025-01-01,\"form, page 2\"\n" + // 8
            "OK1@EXAMPLE.COM,,,\n" +                                      // 9: duplicate of line 2
            $"{new string('x', 10_000)}@example.com,,,\n" +               // 10
            "\"unterminated@example.com,,,\n";                           // 11

        using var response = await api.PostAsync("/api/subscribers/import", Csv(csv));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<ImportResult>(JsonSerializerOptions.Web);
        Assert.NotNull(result);
        Assert.Equal([3, 5, 6, 7, 9, 10, 11], result.Errors.Select(e => e.Line).ToArray());
        Assert.Contains("consent evidence needs both", result.Errors.Single(e => e.Line == 6).Message, StringComparison.Ordinal);
        Assert.Contains("line 2", result.Errors.Single(e => e.Line == 9).Message, StringComparison.Ordinal);
        Assert.Equal(["favourite_colour"], result.IgnoredColumns);
        Assert.Equal(3, result.Created);
        Assert.Equal("pending", await StatusAsync(service, "ok1@example.com"));
        Assert.Equal("pending", await StatusAsync(service, "a@b.com"));
        Assert.Equal("confirmed", await StatusAsync(service, "ok4@example.com"));
        Assert.Equal("Bob \"the builder\"", await ScalarAsync<string>(service, "select name from subscribers where email_key = 'ok4@example.com'"));
        Assert.Equal(3L, await CountAsync(service, "subscribers"));
    }

    [Fact]
    public async Task A_line_longer_than_the_cap_gets_400_naming_the_line_and_imports_nothing()
    {
        using var service = await ServiceFactory.CreateAsync();
        using var api = service.CreateApiClient();
        var csv = "email,name\nok@example.com,Ok\nlong@example.com," + new string('n', 100_000) + "\nlater@example.com,\n";

        using var response = await api.PostAsync("/api/subscribers/import", Csv(csv));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.StartsWith("line 3: the row is longer than", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.True(problem.GetProperty("errors").TryGetProperty("line 3", out _));
        Assert.Equal(0L, await CountAsync(service, "subscribers"));
    }

    [Fact]
    public async Task Import_rejects_ip_literal_addresses_by_line_and_imports_the_rest()
    {
        using var service = await ServiceFactory.CreateAsync();
        using var api = service.CreateApiClient();
        var csv = "email\nok@example.com\nx@[10.0.0.5]\n\"y@[IPv6:::1]\"\n";

        using var response = await api.PostAsync("/api/subscribers/import", Csv(csv));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<ImportResult>(JsonSerializerOptions.Web);
        Assert.NotNull(result);
        Assert.Equal([3, 4], result.Errors.Select(e => e.Line).ToArray());
        Assert.All(result.Errors, e => Assert.Contains("IP address", e.Message, StringComparison.Ordinal));
        Assert.Equal(1, result.Created);
        Assert.Equal(1L, await CountAsync(service, "subscribers"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("name,consented_at\nAda,2025-01-01\n")]
    public async Task A_file_without_a_usable_header_gets_400_and_imports_nothing(string csv)
    {
        using var service = await ServiceFactory.CreateAsync();
        using var api = service.CreateApiClient();

        using var response = await api.PostAsync("/api/subscribers/import", Csv(csv));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0L, await CountAsync(service, "subscribers"));
    }

    [Fact]
    public async Task Import_of_something_that_is_not_csv_gets_415()
    {
        using var service = await ServiceFactory.CreateAsync();
        using var api = service.CreateApiClient();

        using var response = await api.PostAsync("/api/subscribers/import", Json("""{"email":"a@example.com"}"""));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal(0L, await CountAsync(service, "subscribers"));
    }

    [Fact]
    public async Task Twenty_thousand_rows_import_in_one_go_and_a_second_import_of_the_same_file_changes_nothing()
    {
        using var service = await ServiceFactory.CreateAsync(new Dictionary<string, string?> { ["Subscribers:ImportConfirmationsPerMinute"] = "1000" });
        var importer = service.Services.GetRequiredService<SubscriberImporter>();
        var csv = new StringBuilder("email,name,consented_at,consent_source\n");
        for (var i = 0; i < 20_000; i++)
        {
            csv.Append("reader").Append(i).Append("@example.com,Reader ").Append(i);
            csv.Append(i % 10 == 0 ? ",," : ",2025-06-01T08:00:00Z,site form").Append('\n');
        }
        var watch = Stopwatch.StartNew();

        var first = await importer.ImportAsync(new StringReader(csv.ToString()), CancellationToken.None);
        var elapsed = watch.Elapsed;
        var second = await importer.ImportAsync(new StringReader(csv.ToString()), CancellationToken.None);

        Assert.Equal((20_000, 18_000, 2_000, 0), (first.Created, first.CreatedConfirmed, first.CreatedPending, first.Invalid));
        Assert.True(elapsed < TimeSpan.FromSeconds(30), $"20k rows took {elapsed}");
        Assert.Equal((0, 20_000, 0), (second.Created, second.Unchanged, second.Invalid));
        Assert.Equal(20_000L, await CountAsync(service, "subscribers"));
        Assert.Equal(2_000L, await CountAsync(service, "outbox"));
        Assert.Equal(20_000L, await CountAsync(service, "consents"));
        Assert.Equal(20_000L, await CountAsync(service, "subscriber_events"));
        // Confirmations are spread: 1,000 a minute, each link valid from its mail's time.
        Assert.Equal(1.0, await ScalarAsync<double>(service,
            "select extract(epoch from max(next_attempt_at) - min(next_attempt_at)) / 60 from outbox"), 3);
    }

    [Fact]
    public async Task A_pending_row_imported_again_with_consent_evidence_is_confirmed_and_its_confirmation_mail_withdrawn()
    {
        using var service = await ServiceFactory.CreateAsync(new Dictionary<string, string?> { ["Subscribers:ImportConfirmationsPerMinute"] = "1" });
        var importer = service.Services.GetRequiredService<SubscriberImporter>();
        await importer.ImportAsync(new StringReader("email\nfirst@example.com\nlater@example.com\n"), CancellationToken.None);

        var result = await importer.ImportAsync(new StringReader("email,consented_at,consent_source\nlater@example.com,2024-05-05,crm\n"), CancellationToken.None);

        Assert.Equal(1, result.Promoted);
        Assert.Equal("confirmed", await StatusAsync(service, "later@example.com"));
        Assert.Equal(0L, await CountAsync(service, "outbox", "recipient = 'later@example.com'"));
    }

    [Fact]
    public async Task Export_streams_csv_of_one_status_with_formula_cells_defused()
    {
        using var service = await ServiceFactory.CreateAsync();
        var importer = service.Services.GetRequiredService<SubscriberImporter>();
        await importer.ImportAsync(new StringReader(
            "email,name,consented_at,consent_source\n" +
            "plain@example.com,Plain,2025-01-01,form\n" +
            "=cmd@example.com,\"=HYPERLINK(\"\"http://evil\"\")\",2025-01-01,@import\n" +
            "-minus@example.com,+plus,2025-01-01,\"-2+3\"\n" +
            "pending@example.com,,,\n"), CancellationToken.None);
        using var api = service.CreateApiClient();

        using var response = await api.GetAsync("/api/subscribers/export?status=confirmed", HttpCompletionOption.ResponseHeadersRead);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var lines = text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(SubscriberExporter.HeaderLine, lines[0]);
        Assert.Equal(4, lines.Length);
        Assert.Contains(lines, l => l.StartsWith("'=cmd@example.com,\"'=HYPERLINK(\"\"http://evil\"\")\",confirmed,", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("'-minus@example.com,'+plus,confirmed,", StringComparison.Ordinal) && l.EndsWith(",import: -2+3", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.StartsWith("pending@", StringComparison.Ordinal));
        Assert.All(lines.Skip(1), l => Assert.DoesNotMatch("(^|,)[=+@-]", l));
    }

    [Fact]
    public async Task Export_with_an_unknown_status_gets_400_naming_the_parameter()
    {
        using var service = await ServiceFactory.CreateAsync();
        using var api = service.CreateApiClient();

        using var response = await api.GetAsync("/api/subscribers/export?status=drop%20table");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("status", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_export_imported_into_a_fresh_database_brings_back_confirmed_rows_as_confirmed_and_pending_as_pending()
    {
        using var source = await ServiceFactory.CreateAsync();
        await source.Services.GetRequiredService<SubscriberImporter>().ImportAsync(new StringReader(
            "email,name,consented_at,consent_source\nkeep@example.com,Keep,2025-01-01,form\nwait@example.com,,,\n"), CancellationToken.None);
        using var exported = new MemoryStream();
        await source.Services.GetRequiredService<SubscriberAdmin>().ExportCsvAsync(new SubscriberExportFilter(), exported);
        using var target = await ServiceFactory.CreateAsync();

        exported.Position = 0;
        var result = await target.Services.GetRequiredService<SubscriberImporter>().ImportAsync(exported, CancellationToken.None);

        Assert.Equal(0, result.Invalid);
        Assert.Equal("confirmed", await StatusAsync(target, "keep@example.com"));
        Assert.Equal("pending", await StatusAsync(target, "wait@example.com"));
    }
}
