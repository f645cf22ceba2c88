using CsvHelper;

namespace Newsletter.Subscribers;

/// <summary>
/// The records of an import file, read with CsvHelper (RFC 4180: commas, fields optionally in double quotes,
/// <c>""</c> inside quotes, line breaks inside quoted fields, CRLF or LF, blank lines skipped), each with the line it
/// starts on, so a rejected row can be named by its line. Streams: one record in memory at a time.
/// </summary>
public sealed class ImportCsvReader : IDisposable
{
    /// <summary>
    /// The longest record read (in characters): an address, a name and a consent source fit many times over; anything
    /// longer is an unclosed quote swallowing the file or a hostile upload, and must not be buffered whole.
    /// </summary>
    public const int MaxRecordBytes = 64 * 1024;

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

    /// <summary>
    /// Reads the next record; null at the end. <paramref name="startLine"/> is its first line (1-based).
    /// </summary>
    /// <exception cref="ImportFormatException">A record is longer than <see cref="MaxRecordBytes"/>; it names the line.</exception>
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
            // Only an oversized record throws; the reader cannot go on after it, so the file is unusable.
            broken = true;
            throw new ImportFormatException(
                $"line {startLine}: the row is longer than {MaxRecordBytes:N0} characters (or a quoted field is not closed)", startLine);
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
