// Subscriber import benchmark: generates a CSV of N rows (default 1,000,000; 90% with consent evidence, 10% without,
// which get a confirmation token and an outbox mail each), imports it into a fresh migrated database with
// SubscriberImporter (binary COPY + set-based SQL, one transaction) and prints rows/s and seconds. Then it starts the
// real service as its own process on another fresh database, posts the same rows to POST /api/subscribers/import
// (chunked, generated as they are sent) and prints the service's peak RSS during the import.
//   dotnet run -c Release --project bench/Subscribers.Bench [-- ROWS] [--api-only]
// Uses NEWSLETTER_BENCH_DB (a connection string to a server where we may create databases) when set, otherwise starts a
// private PostgreSQL with scripts/pg.sh in a temporary directory and stops it at the end.
using Newsletter.Database;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Newsletter.Bench;
using Newsletter.Subscribers;
using Npgsql;

var apiOnly = args.Contains("--api-only");
var numbers = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();
var rows = numbers.Length > 0 ? int.Parse(numbers[0], CultureInfo.InvariantCulture) : 1_000_000;
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
    if (!apiOnly) await InProcessAsync(admin, rows);
    await ThroughTheApiAsync(admin, rows);
}
finally
{
    if (clusterDir is not null)
    {
        Run("bash", $"\"{Path.Combine(root, "scripts", "pg.sh")}\" stop \"{clusterDir}\"");
        try { Directory.Delete(clusterDir, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

static async Task InProcessAsync(string admin, int rows)
{
    var name = $"bench_import_{Environment.ProcessId}";
    var connectionString = await CreateDatabaseAsync(admin, name);
    await using var db = NpgsqlDataSource.Create(connectionString);
    await Migrator.MigrateAsync(db);

    var file = Path.Combine(Path.GetTempPath(), $"subscribers-bench-{Environment.ProcessId}.csv");
    var watch = Stopwatch.StartNew();
    await using (var writer = new StreamWriter(file, false, new UTF8Encoding(false), 1 << 16))
    {
        await GeneratedCsvContent.WriteRowsAsync(writer, rows);
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
    await DropAsync(admin, name);
}

// The service as an operator runs it (its own process, configured by environment variables); the rows are generated
// while they are sent, so the only large memory in play is the service's.
static async Task ThroughTheApiAsync(string admin, int rows)
{
    var name = $"bench_api_{Environment.ProcessId}";
    var connectionString = await CreateDatabaseAsync(admin, name);
    var port = FreePort();
    const string apiKey = "bench-api-key-0123456789-abcdefghijklmnopqrstuvwxyz";
    var pickup = Path.Combine(Path.GetTempPath(), $"subscribers-bench-outbox-{Environment.ProcessId}");
    var info = new ProcessStartInfo("dotnet") { WorkingDirectory = AppContext.BaseDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
    info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Newsletter.Sender.dll"));
    foreach (var (key, value) in new Dictionary<string, string>
    {
        ["ConnectionStrings__Newsletter"] = connectionString,
        ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        ["Site__BaseUrl"] = $"http://127.0.0.1:{port}",
        ["Site__ComparisonBaseUrl"] = "https://compare.example.com",
        ["Newsletter__FromAddress"] = "verdicts@news.example.com",
        ["Newsletter__PostalAddress"] = "1 Bench Street, Benchville 12345",
        ["Api__Keys__0"] = apiKey,
        ["Subscribers__UnsubscribeKeys__0"] = "bench-unsubscribe-key-0123456789-abcdefghij",
        ["Subscribers__SuppressionKey"] = "bench-suppression-key-0123456789-abcdefghij",
        ["Smtp__Mode"] = "Pickup",
        ["Smtp__PickupDirectory"] = pickup,
        ["Logging__LogLevel__Default"] = "Warning",
    })
        info.Environment[key] = value;
    using var service = Process.Start(info)!;
    service.OutputDataReceived += (_, e) => { if (e.Data is not null) Console.WriteLine("  service: " + e.Data); };
    service.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.WriteLine("  service: " + e.Data); };
    service.BeginOutputReadLine();
    service.BeginErrorReadLine();
    try
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(30) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (service.HasExited) throw new InvalidOperationException($"the service exited with {service.ExitCode}");
            try
            {
                using var health = await http.GetAsync("/healthz");
                if (health.IsSuccessStatusCode) break;
            }
            catch (HttpRequestException) { }
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the service did not become healthy");
            await Task.Delay(200);
        }
        var before = Rss(service.Id);
        var peak = before;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, Rss(service.Id));
                try { await Task.Delay(50, sampling.Token); } catch (OperationCanceledException) { }
            }
        });
        var watch = Stopwatch.StartNew();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/subscribers/import") { Content = new GeneratedCsvContent(rows) };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", apiKey);
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        var seconds = watch.Elapsed.TotalSeconds;
        await sampling.CancelAsync();
        await sampler;
        peak = Math.Max(peak, Rss(service.Id));
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"import answered {(int)response.StatusCode}: {body}");
        using var result = System.Text.Json.JsonDocument.Parse(body);
        Console.WriteLine($"through the API: {rows:N0} rows in {seconds:F1} s = {rows / seconds:N0} rows/s " +
            $"(created {result.RootElement.GetProperty("created").GetInt32():N0}, invalid {result.RootElement.GetProperty("invalid").GetInt32():N0})");
        Console.WriteLine($"service RSS: {before / 1048576.0:F0} MB before the import, peak {peak / 1048576.0:F0} MB during it " +
            $"(kernel high-water mark since start: {HighWaterMark(service.Id) / 1048576.0:F0} MB)");
    }
    finally
    {
        if (!service.HasExited)
        {
            service.Kill(entireProcessTree: true);
            await service.WaitForExitAsync();
        }
        try { Directory.Delete(pickup, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        await DropAsync(admin, name);
    }
}

static async Task<string> CreateDatabaseAsync(string admin, string name)
{
    await using (var connection = new NpgsqlConnection(admin))
    {
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"drop database if exists {name}; create database {name}", connection); // name: digits and letters only
        await create.ExecuteNonQueryAsync();
    }
    return new NpgsqlConnectionStringBuilder(admin) { Database = name, CommandTimeout = 600 }.ConnectionString;
}

static async Task DropAsync(string admin, string name)
{
    NpgsqlConnection.ClearAllPools();
    await using var connection = new NpgsqlConnection(admin);
    await connection.OpenAsync();
    await using var drop = new NpgsqlCommand($"drop database if exists {name} with (force)", connection);
    await drop.ExecuteNonQueryAsync();
}

static long Rss(int pid) => StatusKb(pid, "VmRSS:") * 1024;

static long HighWaterMark(int pid) => StatusKb(pid, "VmHWM:") * 1024;

static long StatusKb(int pid, string field)
{
    try
    {
        var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }
    catch (IOException) { return 0; }
}

static int FreePort()
{
    using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
    listener.Start();
    return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
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
