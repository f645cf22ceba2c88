using System.Text;

namespace Newsletter.Subscribers;

/// <summary>
/// A small RFC 4180 reader: comma separated, fields optionally in double quotes (<c>""</c> inside quotes is one quote,
/// quoted fields may hold commas and line breaks), CRLF or LF line ends, a BOM is skipped by the StreamReader.
/// </summary>
public sealed class CsvReader(TextReader reader)
{
    private readonly StringBuilder field = new();
    private int line;

    /// <summary>Reads the next record; null at the end. <paramref name="startLine"/> is its first line (1-based).</summary>
    public List<string>? Read(out int startLine, out string? error)
    {
        error = null;
        var fields = new List<string>();
        string? text;
        do
        {
            text = reader.ReadLine();
            line++;
            if (text is null)
            {
                startLine = line;
                return null;
            }
        }
        while (text.Length == 0); // blank lines are skipped
        startLine = line;
        field.Clear();
        var i = 0;
        var quoted = false;
        var wasQuoted = false;
        while (true)
        {
            if (i >= text.Length)
            {
                if (!quoted)
                {
                    fields.Add(field.ToString());
                    return fields;
                }
                // A line break inside quotes belongs to the field.
                var next = reader.ReadLine();
                if (next is null)
                {
                    error = "a quoted field is not closed";
                    fields.Add(field.ToString());
                    return fields;
                }
                line++;
                field.Append('\n');
                text = next;
                i = 0;
                if (field.Length > 100_000)
                {
                    error = "a quoted field is not closed (or is longer than 100,000 characters)";
                    fields.Add(field.ToString());
                    return fields;
                }
                continue;
            }
            var c = text[i];
            if (quoted)
            {
                if (c == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"')
                    {
                        field.Append('"');
                        i += 2;
                        continue;
                    }
                    quoted = false;
                    i++;
                    continue;
                }
                field.Append(c);
                i++;
                continue;
            }
            if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
                wasQuoted = false;
                i++;
                continue;
            }
            if (c == '"' && field.Length == 0 && !wasQuoted)
            {
                quoted = true;
                wasQuoted = true;
                i++;
                continue;
            }
            field.Append(c);
            i++;
        }
    }
}

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
