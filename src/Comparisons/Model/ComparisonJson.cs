using System.Text.Json;
using System.Text.Json.Serialization;

namespace Newsletter.Comparisons;

/// <summary>
/// The one JSON shape of <see cref="Comparison"/>: camelCase properties, verdicts as "ship"/"skip",
/// nulls omitted. Used by the API, the <c>import</c> command, the jsonb column and the sample files
/// (see <c>docs/comparison.schema.json</c>).
/// </summary>
public static class ComparisonJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            WriteIndented = false,
            AllowTrailingCommas = false,
            ReadCommentHandling = JsonCommentHandling.Disallow,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
