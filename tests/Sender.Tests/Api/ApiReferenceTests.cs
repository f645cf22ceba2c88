using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Newsletter.Sender.Api;
using Newsletter.Sender.Tests.Admin;
using Newsletter.Sender.Tests.Infrastructure;

namespace Newsletter.Sender.Tests.Api;

/// <summary>
/// The OpenAPI document at /api/openapi.json against the app's own route table, its comparison schema against
/// docs/comparison.schema.json, and who may read it and the Scalar reference at /api/docs.
/// </summary>
public sealed class ApiReferenceTests(ApiReferenceFixture fixture) : IClassFixture<ApiReferenceFixture>
{
    private readonly ServiceFactory service = fixture.Service;
    private readonly JsonObject document = fixture.Document;

    [Fact]
    public void Every_mapped_api_route_is_in_the_document_with_its_method()
    {
        var paths = document["paths"]!.AsObject();
        var routes = service.Services.GetServices<EndpointDataSource>().SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .Select(e => (Pattern: "/" + (e.RoutePattern.RawText ?? "").TrimStart('/'), Methods: e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? []))
            .Where(r => r.Pattern.StartsWith("/api/", StringComparison.Ordinal)
                        && r.Pattern != ApiReferenceExtensions.DocumentPath && !r.Pattern.StartsWith(ApiReferenceExtensions.DocsPath, StringComparison.Ordinal))
            .ToList();
        Assert.True(routes.Count >= 15, $"only {routes.Count} /api routes found");
        var missing = new List<string>();
        foreach (var (pattern, methods) in routes)
        {
            // The document writes {id:long} as {id}.
            var path = System.Text.RegularExpressions.Regex.Replace(pattern, @"\{([^}:?]+)[^}]*\}", "{$1}").TrimEnd('/');
            foreach (var method in methods)
                if (paths[path]?[method.ToLowerInvariant()] is null) missing.Add($"{method} {pattern}");
        }
        Assert.True(missing.Count == 0, "not in the OpenAPI document:\n" + string.Join("\n", missing));
        Assert.Equal(routes.Sum(r => r.Methods.Count), paths.Sum(p => p.Value!.AsObject().Count(o => o.Key is "get" or "post" or "put" or "delete" or "patch")));
    }

    [Fact]
    public void Operations_describe_their_responses_and_problem_json_errors()
    {
        var paths = document["paths"]!.AsObject();
        foreach (var (path, item) in paths)
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                var responses = operation!["responses"]!.AsObject();
                Assert.True(responses["401"]?["content"]?["application/problem+json"] is not null, $"{method} {path}: no 401 problem+json");
                Assert.True(responses.Any(r => r.Key.StartsWith('2')), $"{method} {path}: no success response");
                foreach (var (status, response) in responses.Where(r => r.Key[0] is '4' or '5'))
                    Assert.True(response!["content"]?["application/problem+json"]?["schema"] is not null, $"{method} {path} {status}: not problem+json");
            }
        }
        Assert.NotNull(paths["/api/editions/{id}"]!["get"]!["responses"]!["200"]!["content"]!["application/json"]!["schema"]);
        Assert.NotNull(paths["/api/editions/{id}/pause"]!["post"]!["responses"]!["409"]);
        Assert.NotNull(paths["/api/subscribers/import"]!["post"]!["requestBody"]!["content"]!["text/csv"]);
        Assert.Equal("#/components/schemas/Comparison",
            paths["/api/comparisons"]!["post"]!["requestBody"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>());
        Assert.Equal("#/components/schemas/Comparison",
            paths["/api/comparisons/{slug}"]!["get"]!["responses"]!["200"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>());
        Assert.Equal("bearer", document["components"]!["securitySchemes"]!["apiKey"]!["scheme"]!.GetValue<string>());
    }

    [Fact]
    public void The_comparison_schema_is_the_one_in_docs()
    {
        var schemas = document["components"]!["schemas"]!.AsObject();
        var fromDocs = ComparisonSchemaTransformer.Components();
        Assert.Contains("ComparisonTool", fromDocs.Keys);
        foreach (var (name, expected) in fromDocs)
            Assert.True(JsonNode.DeepEquals(expected, schemas[name]), $"{name} differs from docs/comparison.schema.json:\n{schemas[name]?.ToJsonString()}\nexpected\n{expected.ToJsonString()}");
        // The embedded copy is the file in docs/, not a stale one.
        var file = JsonNode.Parse(File.ReadAllText(Path.Combine(TestSupport.RepositoryRoot.Find(), "docs", "comparison.schema.json")))!;
        Assert.Equal(file["properties"]!.AsObject().Select(p => p.Key), fromDocs["Comparison"]["properties"]!.AsObject().Select(p => p.Key));
    }

    [Fact]
    public async Task The_document_and_the_reference_need_an_api_key_or_an_admin_session()
    {
        using var anonymous = service.CreateAnonymousClient();
        foreach (var path in new[] { ApiReferenceExtensions.DocumentPath, ApiReferenceExtensions.DocsPath })
        {
            using var refused = await anonymous.GetAsync(path);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }
        using var admin = await AdminTestSupport.SignedInClientAsync(service);
        using (var json = await admin.GetAsync(ApiReferenceExtensions.DocumentPath)) Assert.Equal(HttpStatusCode.OK, json.StatusCode);
        // Scalar's page lives at /api/docs/ (/api/docs redirects there).
        using var page = await admin.GetAsync(ApiReferenceExtensions.DocsPath + "/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("\"url\":\"api/openapi.json\"", html, StringComparison.Ordinal); // resolved by Scalar against the app's base path
        using (var script = await admin.GetAsync(ApiReferenceExtensions.DocsPath + "/scalar.aspnetcore.js"))
        {
            Assert.Equal(HttpStatusCode.OK, script.StatusCode); // served from the package, not a CDN
        }
        using var withKey = service.CreateApiClient();
        using (var keyed = await withKey.GetAsync(ApiReferenceExtensions.DocsPath + "/")) Assert.Equal(HttpStatusCode.OK, keyed.StatusCode);
    }
}
