using CsvHelper;

namespace Newsletter.Subscribers;

/// <summary>
/// CSV for people's spreadsheets, written with CsvHelper (RFC 4180, CRLF, quoted only when needed). Text that a
/// spreadsheet would run as a formula (starting with <c>= + - @</c>, tab or CR) gets a leading <c>'</c>, unquoted
/// unless it needs quotes anyway; CsvHelper's own injection escape quotes every such cell.
/// </summary>
public sealed class SubscriberCsvWriter(Stream output) : IAsyncDisposable
{
    private readonly CsvWriter writer = CsvWriter.Create(output, CsvWriterOptions.Default, leaveOpen: true);

    /// <summary>A cell of text that came from outside (an address, a name, a consent source): defused, then quoted if needed.</summary>
    public void WriteText(string? value)
    {
        if (!string.IsNullOrEmpty(value) && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r') value = "'" + value;
        writer.WriteField(value);
    }

    /// <summary>A cell the service wrote itself (a status, a time).</summary>
    public void WriteField(string? value) => writer.WriteField(value);

    /// <summary>Ends the row; writes to the stream when the buffer is mostly full, so a long export streams.</summary>
    public ValueTask EndRecordAsync(CancellationToken cancellationToken) => writer.EndRecordAsync(cancellationToken);

    public ValueTask FlushAsync(CancellationToken cancellationToken) => writer.FlushAsync(cancellationToken);

    public ValueTask DisposeAsync() => writer.DisposeAsync();
}
