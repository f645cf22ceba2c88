namespace Newsletter.Subscribers;

/// <summary>Writes CSV cells, quoting when needed and defusing spreadsheet formulas (CSV injection).</summary>
public static class CsvWriter
{
    /// <summary>
    /// A cell as CSV: a value starting with <c>= + - @</c> (or tab / CR, which spreadsheets also strip) gets a leading
    /// <c>'</c> so no spreadsheet evaluates it; values with a comma, quote or line break are quoted.
    /// </summary>
    public static string Cell(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "";
        if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r') value = "'" + value;
        if (value.AsSpan().IndexOfAny(",\"\r\n") < 0) return value;
        return "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }
}
