using System.Globalization;

namespace Newsletter.Sender.Admin.Pages;

/// <summary>Formatting shared by the admin pages (invariant culture, UTC).</summary>
public static class AdminFormat
{
    public static string Time(DateTimeOffset? value)
        => value is null ? "—" : value.Value.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    public static string Iso(DateTimeOffset? value)
        => value is null ? "" : value.Value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string Number(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    public static string Countdown(TimeSpan left)
    {
        if (left <= TimeSpan.Zero) return "now";
        if (left.TotalDays >= 1) return $"in {(int)left.TotalDays} d {left.Hours} h";
        if (left.TotalHours >= 1) return $"in {(int)left.TotalHours} h {left.Minutes} min";
        return $"in {Math.Max(1, (int)Math.Ceiling(left.TotalMinutes))} min";
    }

    /// <summary>A query string from the non-empty pairs, values escaped.</summary>
    public static string Query(string path, params (string Key, string? Value)[] pairs)
    {
        var parts = pairs.Where(p => !string.IsNullOrEmpty(p.Value)).Select(p => p.Key + "=" + Uri.EscapeDataString(p.Value!)).ToList();
        return parts.Count == 0 ? path : path + "?" + string.Join("&", parts);
    }

    public const string StylesheetUrl = "/_content/Newsletter.Templates/admin/admin.css";
    public const string ScriptUrl = "/_content/Newsletter.Templates/admin/admin.js";
}
