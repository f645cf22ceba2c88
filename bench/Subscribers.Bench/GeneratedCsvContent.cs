using System.Text;

namespace Newsletter.Bench;

/// <summary>The benchmark's CSV as a chunked request body, written while it is sent (never held whole).</summary>
internal sealed class GeneratedCsvContent : HttpContent
{
    private readonly int rows;

    public GeneratedCsvContent(int rows)
    {
        this.rows = rows;
        Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/csv") { CharSet = "utf-8" };
    }

    /// <summary>
    /// The header and <paramref name="rows"/> rows: 90 % with consent evidence (confirmed), 10 % without (pending, each
    /// gets a confirmation token and an outbox mail).
    /// </summary>
    public static async Task WriteRowsAsync(TextWriter writer, int rows)
    {
        await writer.WriteAsync("email,name,consented_at,consent_source\n");
        for (var i = 0; i < rows; i++)
        {
            await writer.WriteAsync(i % 10 == 0
                ? $"reader.{i}@example{i % 97}.com,Reader {i},,\n"
                : $"reader.{i}@example{i % 97}.com,\"Reader, {i}\",2025-{1 + i % 12:00}-{1 + i % 28:00}T08:00:00Z,old list form\n");
        }
    }

    protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
    {
        await using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
        await WriteRowsAsync(writer, rows);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
