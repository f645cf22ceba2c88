using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Newsletter.Comparisons;

/// <summary>Slug rules shared by the parser and the validator.</summary>
public static partial class ComparisonSlug
{
    public const int MaxLength = 200;

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$", RegexOptions.CultureInvariant)]
    public static partial Regex Pattern();

    /// <summary>
    /// "Code Llama 4 (70B &amp; 400B)" and "Mistral 3 Small (22B)" → <c>code-llama-4-70b-400b-vs-mistral-3-small-22b</c>:
    /// lower case, accents removed, every run of other characters becomes one hyphen; cut at a hyphen to 200 characters.
    /// </summary>
    public static string FromToolNames(string first, string second)
    {
        var a = Slugify(first);
        var b = Slugify(second);
        var slug = string.Join("-vs-", new[] { a, b }.Where(s => s.Length > 0));
        if (slug.Length > MaxLength)
        {
            slug = slug[..MaxLength];
            var cut = slug.LastIndexOf('-');
            if (cut > 0) slug = slug[..cut];
        }
        return slug.Trim('-');
    }

    public static string Slugify(string text)
    {
        var decomposed = text.Normalize(NormalizationForm.FormD);
        var builder = new StringBuilder(decomposed.Length);
        var hyphen = false;
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark) continue;
            var lower = char.ToLowerInvariant(c);
            if (lower is (>= 'a' and <= 'z') or (>= '0' and <= '9'))
            {
                if (hyphen && builder.Length > 0) builder.Append('-');
                builder.Append(lower);
                hyphen = false;
            }
            else
            {
                hyphen = true;
            }
        }
        return builder.ToString();
    }
}
