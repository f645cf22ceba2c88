using System.Text.Json;
using Newsletter.TestSupport;
using Newsletter.Comparisons;

namespace Newsletter.Comparisons.Tests;

/// <summary>docs/comparison.schema.json and the example stay in step with the model and the validator.</summary>
public class ComparisonSchemaTests
{
    private static readonly string Docs = Path.Combine(RepositoryRoot.Find(), "docs");

    private static IEnumerable<string> ModelNames(Type type) =>
        ComparisonJson.Options.GetTypeInfo(type).Properties.Select(p => p.Name).Order(StringComparer.Ordinal);

    private static IEnumerable<string> SchemaNames(JsonElement node) =>
        node.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal);

    [Fact]
    public void The_schema_lists_exactly_the_members_of_the_model()
    {
        using var schema = JsonDocument.Parse(File.ReadAllText(Path.Combine(Docs, "comparison.schema.json")));
        var root = schema.RootElement;
        var defs = root.GetProperty("$defs");

        Assert.Equal(ModelNames(typeof(Comparison)), SchemaNames(root));
        Assert.Equal(ModelNames(typeof(Tool)), SchemaNames(defs.GetProperty("tool")));
        Assert.Equal(ModelNames(typeof(Reviewer)), SchemaNames(defs.GetProperty("reviewer")));
        Assert.Equal(ModelNames(typeof(ReviewerTake)), SchemaNames(defs.GetProperty("reviewer").GetProperty("properties").GetProperty("takes").GetProperty("items")));
        Assert.Equal(
            ComparisonJson.Options.GetTypeInfo(typeof(Comparison)).Properties.Where(p => p.IsRequired).Select(p => p.Name).Order(StringComparer.Ordinal),
            root.GetProperty("required").EnumerateArray().Select(e => e.GetString()!).Order(StringComparer.Ordinal));
        Assert.Equal("^[a-z0-9]+(-[a-z0-9]+)*$", root.GetProperty("properties").GetProperty("slug").GetProperty("pattern").GetString());
    }

    [Fact]
    public void The_example_and_the_template_samples_are_valid_comparisons()
    {
        var example = ComparisonValidator.ParseJson(File.ReadAllBytes(Path.Combine(Docs, "comparison.example.json")));
        Assert.Equal("loomcraft-agent-3-vs-parsec-notebook-team", example.Slug);
        Assert.Equal((Verdict.Skip, 2, 2), (example.Tools[1].PanelVerdict!.Value, example.Tools[1].PanelShipVotes!.Value, example.Tools[1].PanelSkipVotes!.Value));

        var samples = Directory.GetFiles(Path.Combine(RepositoryRoot.Find(), "samples", "comparisons"), "*.json");
        Assert.NotEmpty(samples);
        Assert.All(samples, f => Assert.Empty(ComparisonValidator.Validate(ComparisonValidator.Deserialize(File.ReadAllBytes(f)))));
    }
}
