// Subscriber import benchmark: generates a CSV of N rows (default 1,000,000; 90% with consent evidence, 10% without,
// which get a confirmation token and an outbox mail each), imports it into a fresh migrated database with
// SubscriberImporter (binary COPY + set-based SQL, one transaction) and prints rows/s and seconds.
//   dotnet run -c Release --project bench/Subscribers.Bench [-- ROWS]
// Uses NEWSLETTER_BENCH_DB (a connection string to a server where we may create databases) when set, otherwise starts a
// private PostgreSQL with scripts/pg.sh in a temporary directory and stops it at the end.
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Newsletter.Sender.Data;
using Newsletter.Subscribers;
using Npgsql;

var rows = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
var root = FindRoot();
string? clusterDir = null;
var admin = Environment.GetEnvironmentVariable("NEWSLETTER_BENCH_DB");
if (string.IsNullOrWhiteSpace(admin))
{
    clusterDir = Path.Combine(Path.GetTempPath(), $"newsletter-bench-pg-{Environment.ProcessId}");
    admin = Run("bash", $"\"{Path.Combine(root, "scripts", "pg.sh")}\" start \"{clusterDir}\"").Trim().Split('\n')[^1];
}
try
{
    var name = $"bench_import_{Environment.ProcessId}";
    await using (var connection = new NpgsqlConnection(admin))
    {
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"drop database if exists {name}; create database {name}", connection); // name: digits and letters only
        await create.ExecuteNonQueryAsync();
    }
    var connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = name, CommandTimeout = 600 }.ConnectionString;
    await using var db = NpgsqlDataSource.Create(connectionString);
    await Migrator.MigrateAsync(db);

    var file = Path.Combine(Path.GetTempPath(), $"subscribers-bench-{Environment.ProcessId}.csv");
    var watch = Stopwatch.StartNew();
    await using (var writer = new StreamWriter(file, false, new UTF8Encoding(false), 1 << 16))
    {
        await writer.WriteAsync("email,name,consented_at,consent_source\n");
        for (var i = 0; i < rows; i++)
        {
            await writer.WriteAsync(i % 10 == 0
                ? $"reader.{i}@example{i % 97}.com,Reader {i},,\n"
                : $"reader.{i}@example{i % 97}.com,\"Reader, {i}\",2025-{1 + i % 12:00}-{1 + i % 28:00}T08:00:00Z,old list form\n");
        }
    }
    Console.WriteLine($"generated {rows:N0} rows ({new FileInfo(file).Length / 1048576.0:F1} MB) in {watch.Elapsed.TotalSeconds:F1} s");

    var settings = new SubscribersOptions { UnsubscribeKeys = ["bench-unsubscribe-key-0123456789-abcdefghij"], SuppressionKey = "bench-suppression-key-0123456789-abcdefghij", ConsentVersion = "bench" };
    var importer = new SubscriberImporter(db, settings, TimeProvider.System) { Log = line => Console.WriteLine("  " + line) };
    foreach (var run in new[] { "first import", "re-import (idempotent)" })
    {
        watch.Restart();
        ImportResult result;
        await using (var input = File.OpenRead(file))
        {
            result = await importer.ImportAsync(input, CancellationToken.None);
        }
        var seconds = watch.Elapsed.TotalSeconds;
        Console.WriteLine($"{run}: {result.Rows:N0} rows in {seconds:F1} s = {result.Rows / seconds:N0} rows/s " +
            $"(created {result.Created:N0}: {result.CreatedConfirmed:N0} confirmed, {result.CreatedPending:N0} pending; unchanged {result.Unchanged:N0}; invalid {result.Invalid:N0})");
    }
    File.Delete(file);
    await using (var connection = new NpgsqlConnection(admin))
    {
        NpgsqlConnection.ClearAllPools();
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"drop database if exists {name} with (force)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
finally
{
    if (clusterDir is not null)
    {
        Run("bash", $"\"{Path.Combine(root, "scripts", "pg.sh")}\" stop \"{clusterDir}\"");
        try { Directory.Delete(clusterDir, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

static string FindRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "Newsletter.sln"))) return dir.FullName;
    throw new InvalidOperationException("run from inside the repository");
}

static string Run(string file, string arguments)
{
    using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
    var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
    process.WaitForExit();
    if (process.ExitCode != 0) throw new InvalidOperationException($"{file} {arguments}: {output}");
    return output;
}
