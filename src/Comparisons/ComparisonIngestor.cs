namespace Newsletter.Comparisons;

/// <summary>
/// The one path from a request body or file to the store, shared by <c>POST /api/comparisons</c> and the
/// <c>import</c> command: read (JSON or page text), fill what the source lacks, validate, upsert.
/// </summary>
/// <param name="comparisonBaseUrl">Base URL of the comparison site (<c>Site__ComparisonBaseUrl</c>), from which a missing url is derived; null or blank: none.</param>
public sealed class ComparisonIngestor(ComparisonStore store, string? comparisonBaseUrl, TimeProvider time)
{
    /// <summary>A JSON document (<see cref="ComparisonJson"/> shape). A missing <c>url</c> is derived from the slug.</summary>
    /// <exception cref="ComparisonFormatException">malformed JSON.</exception>
    /// <exception cref="ComparisonValidationException">broken content rules.</exception>
    public async Task<IngestResult> IngestJsonAsync(ReadOnlyMemory<byte> utf8Json, CancellationToken cancellationToken)
    {
        var comparison = ComparisonValidator.Deserialize(utf8Json.Span);
        if (string.IsNullOrWhiteSpace(comparison.Url) && !string.IsNullOrEmpty(comparison.Slug) && BaseUrl is { } baseUrl)
            comparison = comparison with { Url = ComparisonPageParser.DeriveUrl(baseUrl, comparison.Slug) };
        return await StoreAsync(comparison, cancellationToken);
    }

    /// <summary>
    /// Page text. <paramref name="given"/> carries the caller's slug/publishedAt/url (the API's query
    /// parameters). Without a publishedAt, a comparison already stored under the slug keeps its time, so
    /// importing the same page again is "unchanged"; a new one gets the current time.
    /// </summary>
    /// <exception cref="ComparisonFormatException">unreadable page text, naming the line.</exception>
    /// <exception cref="ComparisonValidationException">broken content rules.</exception>
    public async Task<IngestResult> IngestPageAsync(string text, PageDefaults given, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(given);
        var defaults = given with { ComparisonBaseUrl = given.ComparisonBaseUrl ?? BaseUrl, Now = given.Now ?? time.GetUtcNow() };
        var comparison = ComparisonPageParser.Parse(text, defaults);
        if (given.PublishedAt is null && await store.GetAsync(comparison.Slug, cancellationToken) is { } existing)
            comparison = comparison with { PublishedAt = existing.Comparison.PublishedAt };
        return await StoreAsync(comparison, cancellationToken);
    }

    private string? BaseUrl => string.IsNullOrWhiteSpace(comparisonBaseUrl) ? null : comparisonBaseUrl;

    private async Task<IngestResult> StoreAsync(Comparison comparison, CancellationToken cancellationToken)
    {
        var result = await store.UpsertAsync(comparison, cancellationToken);
        return new IngestResult(result.Id, result.Slug, result.Outcome);
    }
}
