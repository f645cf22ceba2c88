using System.Security.Cryptography;
using System.Text.Json;

namespace Newsletter.Comparisons;

/// <summary>
/// The canonical stored form of a comparison: <see cref="Comparison.PublishedAt"/> in UTC and truncated to
/// microseconds (what PostgreSQL keeps), serialized with <see cref="ComparisonJson.Options"/> (fixed member
/// order, nulls omitted). Its SHA-256 is <c>comparisons.content_hash</c>: the same content always hashes the
/// same, whatever offset or source (JSON or page text) it came from.
/// </summary>
public static class ComparisonCanonical
{
    public static Comparison Normalize(Comparison comparison)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        var utc = comparison.PublishedAt.ToUniversalTime();
        return comparison with { PublishedAt = utc.AddTicks(-(utc.Ticks % 10)) };
    }

    public static byte[] ToJson(Comparison normalized) => JsonSerializer.SerializeToUtf8Bytes(normalized, ComparisonJson.Options);

    public static byte[] Hash(byte[] canonicalJson) => SHA256.HashData(canonicalJson);

    public static Comparison FromJson(string json) =>
        JsonSerializer.Deserialize<Comparison>(json, ComparisonJson.Options)
        ?? throw new JsonException("stored comparison document is null");
}
