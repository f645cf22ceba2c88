using System.Globalization;
using System.Text;

namespace Newsletter.Templates;

/// <summary>Small string helpers shared by the HTML and plain-text templates.</summary>
public static class TextTools
{
    /// <summary>The ellipsis appended when text is shortened.</summary>
    public const string Ellipsis = "…";

    /// <summary>Collapses runs of whitespace (including newlines) into single spaces and trims.</summary>
    public static string NormalizeSpace(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        var sb = new StringBuilder(text.Length);
        var pendingSpace = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = sb.Length > 0;
                continue;
            }

            if (pendingSpace)
            {
                sb.Append(' ');
                pendingSpace = false;
            }

            sb.Append(c);
        }

        return sb.ToString();
    }

    /// <summary>
    /// Shortens <paramref name="text"/> to at most <paramref name="maxLength"/> characters (ellipsis included).
    /// The cut happens at the last word boundary that fits; trailing punctuation that would dangle before the
    /// ellipsis (",", ";", ":", "—", "-", "(") is dropped. Text that already fits is returned unchanged
    /// (whitespace-normalised). A single word longer than the limit is the only case cut mid-word.
    /// </summary>
    public static string Shorten(string? text, int maxLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 2);
        var s = NormalizeSpace(text);
        if (s.Length <= maxLength)
        {
            return s;
        }

        var budget = maxLength - Ellipsis.Length;
        // Prefer a cut at a space at or before index `budget` (the char at `budget` being a space means the word before it fits whole).
        var cut = s.LastIndexOf(' ', budget);
        string head;
        if (cut <= 0)
        {
            head = s[..budget];
        }
        else
        {
            head = s[..cut];
        }

        head = head.TrimEnd(' ', ',', ';', ':', '—', '–', '-', '(', '/', '·');
        if (head.Length == 0)
        {
            head = s[..budget];
        }

        return head + Ellipsis;
    }

    /// <summary>Formats a date like "22 Nov 2026" (invariant English).</summary>
    public static string ShortDate(DateTimeOffset date) => date.ToString("d MMM yyyy", CultureInfo.InvariantCulture);

    /// <summary>Formats a date like "Sunday, 22 November 2026" (invariant English).</summary>
    public static string LongDate(DateTimeOffset date) => date.ToString("dddd, d MMMM yyyy", CultureInfo.InvariantCulture);

    /// <summary>Human duration: "48 hours", "7 days", "30 minutes".</summary>
    public static string Duration(TimeSpan span)
    {
        if (span.TotalHours > 72 && span.TotalDays == Math.Floor(span.TotalDays))
        {
            return $"{(int)span.TotalDays} days";
        }

        if (span.TotalHours >= 1 && span.TotalHours == Math.Floor(span.TotalHours))
        {
            var h = (int)span.TotalHours;
            return h == 1 ? "1 hour" : $"{h} hours";
        }

        var m = Math.Max(1, (int)Math.Round(span.TotalMinutes));
        return m == 1 ? "1 minute" : $"{m} minutes";
    }

    /// <summary>Joins a base URL and a path with exactly one slash.</summary>
    public static string Combine(string baseUrl, string path) => baseUrl.TrimEnd('/') + "/" + path.TrimStart('/');

    /// <summary>Adds query parameters to an absolute URL, keeping any existing query and fragment.</summary>
    public static string AddQuery(string url, string query)
    {
        var hash = url.IndexOf('#');
        var fragment = hash >= 0 ? url[hash..] : string.Empty;
        var main = hash >= 0 ? url[..hash] : url;
        var sep = main.Contains('?') ? (main.EndsWith('?') || main.EndsWith('&') ? string.Empty : "&") : "?";
        return main + sep + query + fragment;
    }

    /// <summary>True for an absolute http(s) URL.</summary>
    public static bool IsAbsoluteHttp(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttps || u.Scheme == Uri.UriSchemeHttp);
}
