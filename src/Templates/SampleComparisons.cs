using System.Text.Json;
using Newsletter.Comparisons;

namespace Newsletter.Templates;

/// <summary>Loads <c>samples/comparisons/*.json</c> (the <see cref="ComparisonJson"/> shape), in file-name order.</summary>
public static class SampleComparisons
{
    public static IReadOnlyList<Comparison> Load(string directory)
    {
        var list = new List<Comparison>();
        foreach (var file in Directory.GetFiles(directory, "*.json").Order(StringComparer.Ordinal))
        {
            var comparison = JsonSerializer.Deserialize<Comparison>(File.ReadAllText(file), ComparisonJson.Options)
                ?? throw new InvalidDataException($"{file} holds no comparison.");
            list.Add(comparison);
        }

        return list;
    }

    /// <summary>The same sample comparisons as built into this assembly (for template checks and previews on any server).</summary>
    public static IReadOnlyList<Comparison> Embedded() => EmbeddedList.Value;

    private static readonly Lazy<IReadOnlyList<Comparison>> EmbeddedList = new(() =>
    {
        var assembly = typeof(SampleComparisons).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("Newsletter.Templates.Samples.", StringComparison.Ordinal) && n.EndsWith(".json", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n =>
            {
                using var stream = assembly.GetManifestResourceStream(n)!;
                return JsonSerializer.Deserialize<Comparison>(stream, ComparisonJson.Options) ?? throw new InvalidDataException($"{n} holds no comparison.");
            })
            .ToList();
    });

    /// <summary>Walks up from <paramref name="start"/> (default: the current directory) to find <c>samples/comparisons</c>.</summary>
    public static string FindDirectory(string? start = null)
    {
        for (var dir = new DirectoryInfo(start ?? Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "samples", "comparisons");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("samples/comparisons not found above " + (start ?? Directory.GetCurrentDirectory()));
    }
}
