using System.Globalization;
using System.Text.RegularExpressions;

namespace Newsletter.Comparisons;

/// <summary>Values that appear in several sections of the page: verdict words, percentages, vote counts, "none".</summary>
internal static partial class PageValues
{
    /// <summary>The site's "nothing here" renderings.</summary>
    public static bool IsNone(string value) => value is "—" or "–" or "-" or "n/a" or "N/A";

    public static Verdict? AsVerdictWord(string text) =>
        text.Equals("ship", StringComparison.OrdinalIgnoreCase) ? Verdict.Ship
        : text.Equals("skip", StringComparison.OrdinalIgnoreCase) ? Verdict.Skip
        : null;

    public static int ParseInt(string digits, PageLine line) =>
        int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new ComparisonFormatException($"the number '{digits}' is out of range", line.Number);

    /// <summary>"No community votes yet" / "—" → none; "128 votes", "62%", "62% ship · 128 votes" → what is shown.</summary>
    public static (int? Votes, int? Percent) ParseCommunity(PageLine value, string toolName)
    {
        if (IsNone(value.Text) || value.Text.StartsWith("No ", StringComparison.OrdinalIgnoreCase)) return (null, null);
        var votes = Votes().Match(value.Text);
        var percent = Percent().Match(value.Text);
        if (!votes.Success && !percent.Success)
            throw new ComparisonFormatException($"expected community votes of '{toolName}' like '128 votes' or '62%', found '{value.Text}'", value.Number);
        int? count = null;
        if (votes.Success)
        {
            var digits = votes.Groups["n"].Value.Replace(",", "", StringComparison.Ordinal);
            if (votes.Groups["k"].Success)
            {
                var k = decimal.Parse(digits, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
                count = (int)Math.Round(k * 1000m);
            }
            else
            {
                count = ParseInt(digits, value);
            }
        }
        return (count, percent.Success ? ParseInt(percent.Groups[1].Value, value) : null);
    }

    [GeneratedRegex(@"(\d{1,3})\s*%", RegexOptions.CultureInvariant)]
    public static partial Regex Percent();

    [GeneratedRegex(@"(?<n>\d[\d,]*(?:\.\d+)?)\s*(?<k>[kK])?\s*votes?\b", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex Votes();
}
