using CsvHelper;

namespace Newsletter.Subscribers;

/// <summary>
/// The records of an import file, read with CsvHelper (RFC 4180: commas, fields optionally in double quotes,
/// <c>""</c> inside quotes, line breaks inside quoted fields, CRLF or LF, blank lines skipped), each with the line it
/// starts on, so a rejected row can be named by its line. Streams: one record in memory at a time.
/// </summary>
public sealed class ImportCsvReader : IDisposable
{
    /// <summary>A record this long is an unclosed quote swallowing the file, not an address.</summary>
    public const int MaxRecordBytes = 1_000_000;

    private readonly CsvReader reader;
    private string? malformed;
    private int lastLine;
    private bool broken;

    public ImportCsvReader(TextReader text) => reader = CsvReader.Create(text, Options(), leaveOpen: true);

    public ImportCsvReader(Stream utf8) => reader = CsvReader.Create(utf8, Options(), leaveOpen: true);

    private CsvReaderOptions Options() => CsvReaderOptions.Default with
    {
        HasHeader = false, // the importer reads the header itself, to report an unusable one in its own words
        Separator = ',',
        TrackLineNumbers = true,
        FieldCountMismatch = CsvFieldCountHandling.Allow,
        MaxRecordSize = MaxRecordBytes,
        // Called before the record is returned; only a quote left open makes the row unusable (stray quotes are text).
        OnMalformedRecord = m => malformed = m.Reason == CsvMalformedReason.UnterminatedQuote ? "a quoted field is not closed" : malformed,
    };

    /// <summary>Reads the next record; null at the end. <paramref name="startLine"/> is its first line (1-based).</summary>
    public List<string>? Read(out int startLine, out string? error)
    {
        error = null;
        startLine = lastLine + 1;
        if (broken) return null;
        malformed = null;
        try
        {
            if (!reader.Read()) return null;
        }
        catch (CsvFormatException)
        {
            // Only an oversized record throws; the reader cannot go on after it.
            broken = true;
            error = $"a quoted field is not closed (or the row is longer than {MaxRecordBytes:N0} bytes)";
            return [];
        }
        startLine = (int)reader.LineNumber;
        lastLine = startLine;
        error = malformed;
        var fields = new List<string>(reader.FieldCount);
        for (var i = 0; i < reader.FieldCount; i++) fields.Add(reader.GetString(i));
        return fields;
    }

    public void Dispose() => reader.Dispose();
}
