using Microsoft.Extensions.DependencyInjection;
using Newsletter.Subscribers.Tests.Infrastructure;
using static Newsletter.TestSupport.SubscriberRows;

namespace Newsletter.Subscribers.Tests.Import;

/// <summary>Import reads with bounded memory: one long line stops it at the cap; duplicates are found in SQL.</summary>
public sealed class ImportLimitTests
{
    [Fact]
    public async Task A_200_mb_single_line_is_refused_naming_its_line_after_reading_little_of_it()
    {
        using var database = await SubscriberDatabase.CreateAsync();
        var importer = database.Services.GetRequiredService<SubscriberImporter>();
        // Generated as it is read: a header, one good row, then 200 MB without a line break.
        await using var csv = new GeneratedCsv("email\nfirst@example.com\n", 200L * 1024 * 1024);

        var refused = await Assert.ThrowsAsync<ImportFormatException>(() => importer.ImportAsync(csv, CancellationToken.None));

        Assert.Equal(3, refused.Line);
        Assert.StartsWith("line 3: the row is longer than", refused.Message, StringComparison.Ordinal);
        Assert.True(csv.BytesRead < 4 * 1024 * 1024, $"read {csv.BytesRead:N0} bytes of the long line");
        Assert.Equal(0L, await CountAsync(database, "subscribers"));
    }

    [Fact]
    public async Task Duplicates_are_rejected_on_their_later_lines_naming_the_first_and_imported_once()
    {
        using var database = await SubscriberDatabase.CreateAsync();
        var importer = database.Services.GetRequiredService<SubscriberImporter>();
        using var csv = new StringReader("email\na@example.com\nb@example.com\nA@EXAMPLE.COM\nbroken\nb@example.com\na@example.com\n");

        var result = await importer.ImportAsync(csv, CancellationToken.None);

        Assert.Equal([4, 5, 6, 7], result.Errors.Select(e => e.Line).ToArray());
        Assert.Equal("email: A@example.com already appears on line 2", result.Errors[0].Message);
        Assert.Equal("email: b@example.com already appears on line 3", result.Errors[2].Message);
        Assert.Equal("email: a@example.com already appears on line 2", result.Errors[3].Message);
        Assert.Equal((6, 2, 4), (result.Rows, result.Created, result.Invalid));
        Assert.Equal(2L, await CountAsync(database, "subscribers"));
    }

    /// <summary>A read-only stream that produces <c>prefix</c> then <c>filler</c> bytes of 'x', never held in memory.</summary>
    private sealed class GeneratedCsv(string prefix, long filler) : Stream
    {
        private readonly byte[] head = System.Text.Encoding.UTF8.GetBytes(prefix);
        private long position;

        public long BytesRead => position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => head.Length + filler;
        public override long Position { get => position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = 0;
            while (n < buffer.Length && position < Length)
            {
                buffer[n++] = position < head.Length ? head[position] : (byte)'x';
                position++;
            }
            return n;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
