using System.Text;
using Newsletter.Comparisons;
using Newsletter.Sender.Api;

namespace Newsletter.Sender.Cli;

/// <summary>
/// <c>Newsletter.Sender import PATH...</c>: each path a file or a directory (searched recursively for *.json
/// and *.txt). A <c>.json</c> file is a JSON comparison; any other file is page text, whose slug, url and
/// publishedAt are derived (see <see cref="PageDefaults"/>). Prints one line per file:
/// <c>created|updated|unchanged|rejected  path  slug-or-reason</c>. Exit code 1 when any file (or path) was
/// rejected, else 0. Files are independent: one rejected file does not stop the others.
/// </summary>
public static class ComparisonImportCommand
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static async Task<int> RunAsync(IServiceProvider services, IReadOnlyList<string> paths, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(output);
        var ingestor = services.GetRequiredService<ComparisonIngestor>();
        var rejected = 0;
        foreach (var path in paths)
        {
            IEnumerable<string> files;
            if (Directory.Exists(path))
            {
                files = Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                    .Where(f => f.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".txt", StringComparison.OrdinalIgnoreCase))
                    .Order(StringComparer.Ordinal)
                    .ToList();
            }
            else if (File.Exists(path))
            {
                files = [path];
            }
            else
            {
                await output.WriteLineAsync(FileResult.Rejected(path, "no such file or directory").Line);
                rejected++;
                continue;
            }

            foreach (var file in files)
            {
                var result = await ImportFileAsync(ingestor, file, cancellationToken);
                if (result.IsRejected) rejected++;
                await output.WriteLineAsync(result.Line);
            }
        }
        return rejected > 0 ? 1 : 0;
    }

    private static async Task<FileResult> ImportFileAsync(ComparisonIngestor ingestor, string file, CancellationToken cancellationToken)
    {
        try
        {
            var length = new FileInfo(file).Length;
            if (length > ComparisonEndpoints.MaxBodyBytes) return FileResult.Rejected(file, $"larger than {ComparisonEndpoints.MaxBodyBytes} bytes");
            var bytes = await File.ReadAllBytesAsync(file, cancellationToken);
            ReadOnlyMemory<byte> body = bytes;
            if (body.Span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) body = body[3..];
            var result = file.EndsWith(".json", StringComparison.OrdinalIgnoreCase)
                ? await ingestor.IngestJsonAsync(body, cancellationToken)
                : await ingestor.IngestPageAsync(StrictUtf8.GetString(body.Span), PageDefaults.None, cancellationToken);
            return new FileResult(false, $"{result.Outcome.ToString().ToLowerInvariant()}  {file}  {result.Slug}");
        }
        catch (ComparisonInputException e)
        {
            return FileResult.Rejected(file, OneLine(e.Message));
        }
        catch (DecoderFallbackException)
        {
            return FileResult.Rejected(file, "not valid UTF-8 text");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return FileResult.Rejected(file, OneLine(e.Message));
        }
    }

    /// <summary>One file's line of the report, and whether it was refused (the exit code counts those).</summary>
    private sealed record FileResult(bool IsRejected, string Line)
    {
        public static FileResult Rejected(string file, string why) => new(true, $"rejected  {file}  {why}");
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}
