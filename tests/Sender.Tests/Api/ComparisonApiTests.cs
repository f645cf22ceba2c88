using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Newsletter.Sender.Tests.Infrastructure;
using Newsletter.Comparisons;
using Newsletter.Comparisons.Tests;

namespace Newsletter.Sender.Tests.Api;

/// <summary>POST/GET /api/comparisons through the real host (auth, middleware, DI) on a fresh database.</summary>
public class ComparisonApiTests
{
    private static StringContent JsonBody(Comparison c) =>
        new(JsonSerializer.Serialize(c, ComparisonJson.Options), Encoding.UTF8, "application/json");

    private static StringContent TextBody(string text) => new(text, Encoding.UTF8, "text/plain");

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<JsonElement>();

    [Fact]
    public async Task Posting_json_creates_then_reports_unchanged_then_updated()
    {
        using var service = await ServiceFactory.CreateAsync();
        using var client = service.CreateApiClient();
        var sample = ComparisonTestData.Sample();

        using var created = await client.PostAsync("/api/comparisons", JsonBody(sample));
        using var unchanged = await client.PostAsync("/api/comparisons", JsonBody(sample));
        using var updated = await client.PostAsync("/api/comparisons", JsonBody(sample with { Summary = "Now with a summary." }));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("/api/comparisons/alpha-vs-beta", created.Headers.Location?.OriginalString);
        var body = await ReadAsync(created);
        Assert.Equal("alpha-vs-beta", body.GetProperty("slug").GetString());
        Assert.Equal("created", body.GetProperty("status").GetString());
        var id = body.GetProperty("id").GetInt64();
        Assert.Equal(HttpStatusCode.OK, unchanged.StatusCode);
        var unchangedBody = await ReadAsync(unchanged);
        Assert.Equal(("unchanged", id), (unchangedBody.GetProperty("status").GetString(), unchangedBody.GetProperty("id").GetInt64()));
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.Equal("updated", (await ReadAsync(updated)).GetProperty("status").GetString());

        var stored = await client.GetFromJsonAsync<Comparison>("/api/comparisons/alpha-vs-beta", ComparisonJson.Options);
        Assert.Equal("Now with a summary.", stored!.Summary);
        Assert.Equal(75, stored.Tools[0].PanelShipPercent);
    }

    [Fact]
    public async Task Posting_page_text_uses_the_query_parameters_and_derives_the_rest()
    {
        using var service = await ServiceFactory.CreateAsync();
        using var client = service.CreateApiClient();
        var text = ComparisonTestData.Fixture("layout-c-bare-quotes.txt");

        using var withQuery = await client.PostAsync("/api/comparisons?slug=murmur-vs-stanza&publishedAt=2026-02-27T10:00:00Z", TextBody(text));
        using var derived = await client.PostAsync("/api/comparisons", TextBody(ComparisonTestData.Fixture("layout-a-decision-table.txt")));

        Assert.Equal(HttpStatusCode.Created, withQuery.StatusCode);
        var stored = await client.GetFromJsonAsync<Comparison>("/api/comparisons/murmur-vs-stanza", ComparisonJson.Options);
        Assert.Equal(new DateTimeOffset(2026, 2, 27, 10, 0, 0, TimeSpan.Zero), stored!.PublishedAt);
        Assert.Equal("https://compare.example.com/compare/murmur-vs-stanza", stored.Url);
        Assert.Equal(4, stored.Reviewers.Count);

        Assert.Equal(HttpStatusCode.Created, derived.StatusCode);
        Assert.Equal("loomcraft-agent-3-vs-parsec-notebook-team", (await ReadAsync(derived)).GetProperty("slug").GetString());

        // The same page again, without publishedAt: it keeps the stored time and is unchanged.
        using var again = await client.PostAsync("/api/comparisons", TextBody(ComparisonTestData.Fixture("layout-a-decision-table.txt")));
        Assert.Equal("unchanged", (await ReadAsync(again)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task An_invalid_field_gets_a_problem_naming_it_and_nothing_is_stored()
    {
        using var service = await ServiceFactory.CreateAsync();
        using var client = service.CreateApiClient();
        var sample = ComparisonTestData.Sample();

        using var response = await client.PostAsync("/api/comparisons",
            JsonBody(sample with { Tools = [sample.Tools[0], sample.Tools[1] with { PanelShipPercent = 101 }] }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True((await ReadAsync(response)).GetProperty("errors").TryGetProperty("tools[1].panelShipPercent", out _));
        var list = await client.GetFromJsonAsync<JsonElement>("/api/comparisons");
        Assert.Equal(0, list.GetArrayLength());
    }

    [Fact]
    public async Task A_control_character_in_the_title_gets_a_problem_naming_the_field_and_nothing_is_stored()
    {
        using var service = await ServiceFactory.CreateAsync();
        using var client = service.CreateApiClient();

        using var response = await client.PostAsync("/api/comparisons", JsonBody(ComparisonTestData.Sample() with { Title = "Alpha \u0001 Beta" }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await ReadAsync(response)).GetProperty("errors");
        Assert.Contains("U+0001", errors.GetProperty("title")[0].GetString(), StringComparison.Ordinal);
        var list = await client.GetFromJsonAsync<JsonElement>("/api/comparisons");
        Assert.Equal(0, list.GetArrayLength());
    }

    [Fact]
    public async Task Malformed_json_and_unreadable_page_text_get_problems_naming_the_position_or_line()
    {
        using var service = await ServiceFactory.CreateAsync();
        using var client = service.CreateApiClient();

        using var json = await client.PostAsync("/api/comparisons", new StringContent("{\"slug\": \"a\",\n \"title\": }", Encoding.UTF8, "application/json"));
        using var text = await client.PostAsync("/api/comparisons", TextBody("AI tool comparison\nno title here\n"));
        using var date = await client.PostAsync("/api/comparisons?publishedAt=yesterday", TextBody("A vs B\nA\nB\n"));

        Assert.Equal(HttpStatusCode.BadRequest, json.StatusCode);
        var jsonProblem = await ReadAsync(json);
        Assert.Equal(2, jsonProblem.GetProperty("line").GetInt32());
        Assert.True(jsonProblem.GetProperty("errors").TryGetProperty("$.title", out _));
        Assert.Equal(HttpStatusCode.BadRequest, text.StatusCode);
        Assert.True((await ReadAsync(text)).GetProperty("errors").TryGetProperty("line 2", out _));
        Assert.Equal(HttpStatusCode.BadRequest, date.StatusCode);
        Assert.True((await ReadAsync(date)).GetProperty("errors").TryGetProperty("publishedAt", out _));
    }

    [Fact]
    public async Task A_body_over_one_megabyte_is_refused_with_413_even_without_a_content_length()
    {
        using var service = await ServiceFactory.CreateAsync();
        using var client = service.CreateApiClient();
        var big = new string('x', 1024 * 1024 + 1);

        using var declared = await client.PostAsync("/api/comparisons", TextBody(big));
        var streamed = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(big)));
        streamed.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/comparisons") { Content = streamed };
        request.Headers.TransferEncodingChunked = true;
        using var chunked = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, declared.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, chunked.StatusCode);
    }

    [Theory]
    [InlineData("text/html")]
    [InlineData("application/xml")]
    [InlineData("text/plain; charset=iso-8859-1")]
    public async Task Other_content_types_are_refused_with_415(string contentType)
    {
        using var service = await ServiceFactory.CreateAsync();
        using var client = service.CreateApiClient();
        var content = new ByteArrayContent("A vs B"u8.ToArray());
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);

        using var response = await client.PostAsync("/api/comparisons", content);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task The_api_requires_the_key()
    {
        using var service = await ServiceFactory.CreateAsync();
        using var client = service.CreateAnonymousClient();

        using var response = await client.PostAsync("/api/comparisons", JsonBody(ComparisonTestData.Sample()));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task The_list_filters_by_status_and_an_unknown_slug_is_404()
    {
        using var service = await ServiceFactory.CreateAsync();
        using var client = service.CreateApiClient();
        using var _ = await client.PostAsync("/api/comparisons", JsonBody(ComparisonTestData.Sample()));

        var unsent = await client.GetFromJsonAsync<JsonElement>("/api/comparisons?status=unsent");
        var sent = await client.GetFromJsonAsync<JsonElement>("/api/comparisons?status=sent");
        using var bad = await client.GetAsync("/api/comparisons?status=maybe");
        using var missing = await client.GetAsync("/api/comparisons/no-such-thing");

        Assert.Equal("alpha-vs-beta", unsent[0].GetProperty("slug").GetString());
        Assert.Equal(1, unsent.GetArrayLength());
        Assert.Equal(0, sent.GetArrayLength());
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }
}
