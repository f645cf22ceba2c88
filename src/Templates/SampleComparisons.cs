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
