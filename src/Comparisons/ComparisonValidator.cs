using System.Text.Json;

namespace Newsletter.Comparisons;

/// <summary>
/// Reads <c>application/json</c> comparisons (<see cref="ComparisonJson"/> shape, see
/// <c>docs/comparison.schema.json</c>) and checks the content rules every stored comparison obeys, whatever
/// its source. Error fields are spelled as in the JSON: <c>tools[1].panelShipPercent</c>.
/// </summary>
public static class ComparisonValidator
{
    public const int MaxTitleLength = 500;
    public const int MaxNameLength = 200;
    public const int MaxTextLength = 20_000;
    public const int MaxUrlLength = 2_000;
    public const int MaxReviewers = 50;
    public const int MaxPanelVotes = 1_000;

    /// <summary>Deserializes and validates.</summary>
    /// <exception cref="ComparisonFormatException">malformed JSON, an unknown or mistyped member, a missing required member; names the JSON path and line.</exception>
    /// <exception cref="ComparisonValidationException">the content breaks a rule of <see cref="Validate"/>.</exception>
    public static Comparison ParseJson(ReadOnlySpan<byte> utf8Json)
    {
        var comparison = Deserialize(utf8Json);
        EnsureValid(comparison);
        return comparison;
    }

    /// <summary>Deserializes with <see cref="ComparisonJson.Options"/>, without the content rules.</summary>
    /// <exception cref="ComparisonFormatException">as <see cref="ParseJson"/>.</exception>
    public static Comparison Deserialize(ReadOnlySpan<byte> utf8Json)
    {
        Comparison? comparison;
        try
        {
            comparison = JsonSerializer.Deserialize<Comparison>(utf8Json, ComparisonJson.Options);
        }
        catch (JsonException e)
        {
            // System.Text.Json reports the path ($.tools[1].panelShipPercent) and a 0-based line and byte position.
            var line = e.LineNumber is { } l ? (int)l + 1 : (int?)null;
            var position = e.BytePositionInLine is { } p ? $", position {p + 1}" : "";
            var path = string.IsNullOrEmpty(e.Path) ? "$" : e.Path;
            throw new ComparisonFormatException($"malformed JSON at {path}{position}: {FirstSentence(e.Message)}", line, path);
        }
        return comparison ?? throw new ComparisonFormatException("expected a JSON object, found null", 1, "$");
    }

    /// <summary>Throws when <see cref="Validate"/> finds anything.</summary>
    /// <exception cref="ComparisonValidationException">with every broken rule.</exception>
    public static void EnsureValid(Comparison comparison)
    {
        var errors = Validate(comparison);
        if (errors.Count > 0) throw new ComparisonValidationException(errors);
    }

    /// <summary>
    /// The content rules: slug <c>^[a-z0-9]+(-[a-z0-9]+)*$</c> of at most 200 characters; a title; an absolute
    /// http(s) url when given; exactly two tools with names; scores and percentages 0..100; vote counts not
    /// negative; each reviewer with a persona and exactly one take per tool; strings length-limited (title 500,
    /// names 200, url 2,000, other text 20,000) and free of NUL characters (PostgreSQL cannot store them) and of other
    /// control characters but tab, line feed and carriage return (mail headers cannot carry them).
    /// Markup is allowed and kept verbatim: it is text, escaped when rendered.
    /// </summary>
    public static IReadOnlyList<ComparisonValidationError> Validate(Comparison comparison)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        var errors = new List<ComparisonValidationError>();
        void Error(string field, string message) => errors.Add(new ComparisonValidationError(field, message));

        void Text(string field, string? value, int max, bool required = false)
        {
            if (value is null || value.Trim().Length == 0)
            {
                if (required) Error(field, "is required");
                return;
            }
            if (value.Length > max) Error(field, $"must be at most {max} characters (is {value.Length})");
            if (value.Contains('\0', StringComparison.Ordinal)) Error(field, "must not contain NUL characters");
            else if (FirstControl(value) is { } c) Error(field, $"must not contain control characters (U+{(int)c:X4}); only tab, line feed and carriage return are allowed");
        }

        void Range(string field, int? value, int min, int max)
        {
            if (value is { } v && (v < min || v > max)) Error(field, $"must be between {min} and {max} (is {v})");
        }

        var slug = comparison.Slug;
        if (string.IsNullOrEmpty(slug)) Error("slug", "is required");
        else if (slug.Length > ComparisonSlug.MaxLength) Error("slug", $"must be at most {ComparisonSlug.MaxLength} characters");
        else if (!ComparisonSlug.Pattern().IsMatch(slug)) Error("slug", "must match ^[a-z0-9]+(-[a-z0-9]+)*$ (lower-case letters and digits joined by single hyphens)");

        Text("title", comparison.Title, MaxTitleLength, required: true);
        Text("url", comparison.Url, MaxUrlLength);
        if (!string.IsNullOrWhiteSpace(comparison.Url)
            && !(Uri.TryCreate(comparison.Url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) && uri.Host.Length > 0))
        {
            Error("url", "must be an absolute http or https URL");
        }
        if (comparison.PublishedAt.Year < 2000 || comparison.PublishedAt.Year > 9000) Error("publishedAt", "must be a date-time between the years 2000 and 9000");
        Text("category", comparison.Category, MaxNameLength);
        Text("summary", comparison.Summary, MaxTextLength);

        var toolCount = 0;
        if (comparison.Tools is null) Error("tools", "is required (exactly two tools)");
        else
        {
            toolCount = comparison.Tools.Count;
            if (toolCount != 2) Error("tools", $"must hold exactly two tools (holds {toolCount})");
            for (var t = 0; t < toolCount; t++)
            {
                var tool = comparison.Tools[t];
                var at = $"tools[{t}]";
                if (tool is null) { Error(at, "must be an object, not null"); continue; }
                Text($"{at}.name", tool.Name, MaxNameLength, required: true);
                Text($"{at}.category", tool.Category, MaxNameLength);
                Text($"{at}.tagline", tool.Tagline, MaxTextLength);
                Text($"{at}.description", tool.Description, MaxTextLength);
                Text($"{at}.entryPrice", tool.EntryPrice, MaxNameLength);
                Text($"{at}.pricingDetail", tool.PricingDetail, MaxTextLength);
                Range($"{at}.panelShipVotes", tool.PanelShipVotes, 0, MaxPanelVotes);
                Range($"{at}.panelSkipVotes", tool.PanelSkipVotes, 0, MaxPanelVotes);
                Range($"{at}.panelShipPercent", tool.PanelShipPercent, 0, 100);
                Range($"{at}.communityVotes", tool.CommunityVotes, 0, int.MaxValue);
                Range($"{at}.communityShipPercent", tool.CommunityShipPercent, 0, 100);
            }
        }

        if (comparison.Reviewers is null) Error("reviewers", "is required (may be empty)");
        else
        {
            if (comparison.Reviewers.Count > MaxReviewers) Error("reviewers", $"must hold at most {MaxReviewers} reviewers");
            for (var r = 0; r < comparison.Reviewers.Count; r++)
            {
                var reviewer = comparison.Reviewers[r];
                var at = $"reviewers[{r}]";
                if (reviewer is null) { Error(at, "must be an object, not null"); continue; }
                Text($"{at}.persona", reviewer.Persona, MaxNameLength, required: true);
                if (reviewer.Takes is null) { Error($"{at}.takes", "is required (one take per tool)"); continue; }
                if (comparison.Tools is not null && reviewer.Takes.Count != toolCount)
                    Error($"{at}.takes", $"must hold exactly one take per tool ({toolCount}), holds {reviewer.Takes.Count}");
                for (var k = 0; k < reviewer.Takes.Count; k++)
                {
                    var take = reviewer.Takes[k];
                    var takeAt = $"{at}.takes[{k}]";
                    if (take is null) { Error(takeAt, "must be an object, not null"); continue; }
                    Range($"{takeAt}.score", take.Score, 0, 100);
                    Text($"{takeAt}.quote", take.Quote, MaxTextLength);
                }
            }
        }
        return errors;
    }

    private static char? FirstControl(string value)
    {
        foreach (var c in value)
            if ((char.IsControl(c) && c is not ('\t' or '\n' or '\r'))) return c;
        return null;
    }

    private static string FirstSentence(string message)
    {
        // System.Text.Json appends " Path: $.x | LineNumber: 0 | BytePositionInLine: 3." which we report ourselves.
        var cut = message.IndexOf(" Path: ", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
