using Newsletter.Database;
using Newsletter.Sender.Hosting;
using Newsletter.Subscribers;
using Npgsql;

namespace Newsletter.Sender.Cli;

/// <summary>
/// <c>import-subscribers FILE.csv</c> (<c>-</c> for standard input): one line per rejected row, then a summary; exit 1
/// when a row was rejected or the file is unusable (nothing imported then), 0 otherwise.
/// <c>export-subscribers [--status S]</c>: the list as CSV on standard output.
/// Other <c>--Section:Name=value</c> arguments are configuration, as for every command.
/// </summary>
public static class SubscriberCommands
{
    public static async Task<int> RunAsync(string command, string[] args)
    {
        var config = new List<string>();
        var positional = new List<string>();
        string? status = null;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--status")
            {
                if (i + 1 >= args.Length) return Usage("--status needs a value: " + string.Join(", ", SubscriberStatus.All));
                status = args[++i];
            }
            else if (args[i].StartsWith("--status=", StringComparison.Ordinal)) status = args[i]["--status=".Length..];
            else if (args[i].StartsWith("--", StringComparison.Ordinal)) config.Add(args[i]);
            else positional.Add(args[i]);
        }

        if (command == "export-subscribers")
        {
            if (positional.Count > 0) return Usage("export-subscribers takes no file; it writes to standard output");
            if (status is not null && !SubscriberStatus.All.Contains(status))
                return Usage($"unknown status '{status}' (one of: {string.Join(", ", SubscriberStatus.All)})");
            await using var app = Build(config);
            await Migrator.MigrateAsync(app.Services.GetRequiredService<NpgsqlDataSource>());
            await using var stdout = Console.OpenStandardOutput();
            await app.Services.GetRequiredService<SubscriberExporter>().ExportCsvAsync(new SubscriberExportFilter(status), stdout, CancellationToken.None);
            return 0;
        }

        if (positional.Count != 1 || status is not null) return Usage("import-subscribers FILE.csv (header: email,name,consented_at,consent_source)");
        var path = positional[0];
        Stream input;
        try
        {
            input = path == "-" ? Console.OpenStandardInput() : new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"import-subscribers: cannot read {path}: {e.Message}");
            return 1;
        }
        await using (input)
        {
            await using var app = Build(config);
            await Migrator.MigrateAsync(app.Services.GetRequiredService<NpgsqlDataSource>());
            ImportResult result;
            try
            {
                result = await app.Services.GetRequiredService<SubscriberImporter>().ImportAsync(input, CancellationToken.None);
            }
            catch (ImportFormatException e)
            {
                Console.Error.WriteLine($"import-subscribers: {path}: {e.Message}; nothing imported");
                return 1;
            }
            foreach (var error in result.Errors) Console.WriteLine($"{path}:{error.Line}: rejected: {error.Message}");
            if (result.Invalid > result.Errors.Count) Console.WriteLine($"... and {result.Invalid - result.Errors.Count} more rejected rows");
            Console.WriteLine($"{result.Rows} rows: {result.Created} new ({result.CreatedConfirmed} confirmed with consent evidence, "
                + $"{result.CreatedPending} pending, sent a confirmation), {result.Promoted} confirmed, {result.Unchanged} unchanged, "
                + $"{result.Suppressed} suppressed (not re-activated), {result.Invalid} rejected");
            return result.Invalid > 0 ? 1 : 0;
        }
    }

    private static WebApplication Build(List<string> args)
    {
        var builder = WebApplication.CreateBuilder(args.ToArray());
        builder.Logging.ClearProviders(); // standard output is the CSV
        builder.AddNewsletter();
        return builder.BuildNewsletter();
    }

    private static int Usage(string message)
    {
        Console.Error.WriteLine($"usage error: {message}");
        return 2;
    }
}
