using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace Newsletter.Sender.Api;

/// <summary>
/// One source for the comparison's shape: the document's <c>Comparison</c> schema (and its parts) is
/// docs/comparison.schema.json itself (embedded at build time), its <c>$defs</c> moved to components as
/// <c>Comparison</c> + the def's name with the references rewritten to match; the POST and GET routes refer to it.
/// </summary>
internal sealed class ComparisonSchemaTransformer : IOpenApiDocumentTransformer
{
    public const string ResourceName = "Newsletter.Sender.Api.comparison.schema.json";
    public const string RootName = "Comparison";

    /// <summary>The component schemas made from the docs file: name → JSON Schema as it appears in the document.</summary>
    public static IReadOnlyDictionary<string, JsonObject> Components()
    {
        using var stream = typeof(ComparisonSchemaTransformer).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException(ResourceName + " is not embedded");
        var root = JsonNode.Parse(stream)!.AsObject();
        var defs = root["$defs"]?.AsObject() ?? [];
        var names = defs.ToDictionary(d => d.Key, d => RootName + char.ToUpperInvariant(d.Key[0]) + d.Key[1..], StringComparer.Ordinal);
        var result = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var (name, def) in defs) result[names[name]] = Rewrite(def!.DeepClone().AsObject(), names);
        var top = root.DeepClone().AsObject();
        top.Remove("$schema");
        top.Remove("$id");
        top.Remove("$defs");
        result[RootName] = Rewrite(top, names);
        return result;
    }

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        var components = Components();
        // Registered before parsing, so each parsed reference resolves against the document.
        foreach (var name in components.Keys) document.Components.Schemas[name] = new OpenApiSchema();
        foreach (var (name, json) in components)
        {
            var schema = OpenApiModelFactory.Parse<OpenApiSchema>(json.ToJsonString(), OpenApiSpecVersion.OpenApi3_1, document, out _, "json")
                ?? throw new InvalidOperationException($"docs/comparison.schema.json: {name} is not a valid schema");
            document.Components.Schemas[name] = schema;
        }
        var reference = new OpenApiSchemaReference(RootName, document);
        if (document.Paths.TryGetValue("/api/comparisons", out var list) && list.Operations?.TryGetValue(HttpMethod.Post, out var post) == true)
        {
            post.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Description = "A comparison as JSON (docs/comparison.schema.json), or the page's text; at most 1 MB.",
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/json"] = new() { Schema = reference },
                    ["text/plain"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String } },
                },
            };
        }
        if (document.Paths.TryGetValue("/api/comparisons/{slug}", out var one) && one.Operations?.TryGetValue(HttpMethod.Get, out var get) == true
            && get.Responses?.TryGetValue("200", out var ok) == true && ok is OpenApiResponse response)
        {
            response.Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = reference } };
        }
        return Task.CompletedTask;
    }

    private static JsonObject Rewrite(JsonObject node, IReadOnlyDictionary<string, string> names)
    {
        foreach (var (key, value) in node.ToList())
        {
            if (key == "$ref" && value?.GetValue<string>() is { } target && target.StartsWith("#/$defs/", StringComparison.Ordinal))
                node[key] = "#/components/schemas/" + names[target["#/$defs/".Length..]];
            else if (value is JsonObject child) Rewrite(child, names);
            else if (value is JsonArray array)
                foreach (var item in array)
                    if (item is JsonObject o) Rewrite(o, names);
        }
        return node;
    }
}
