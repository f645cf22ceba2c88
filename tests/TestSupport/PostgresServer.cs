using System.Diagnostics;
using Npgsql;

namespace Newsletter.TestSupport;

/// <summary>
/// A real PostgreSQL server for tests. When <c>NEWSLETTER_TEST_DB</c> is set (a connection string to a
/// server where we may create databases; <c>./test.sh</c> sets it) that server is used; otherwise a
/// throwaway cluster is started with <c>scripts/pg.sh</c> in a temporary directory and stopped at process
/// exit. One instance per test process (<see cref="Shared"/>); every test gets databases of its own.
/// </summary>
public sealed class PostgresServer
{
    private static readonly Lazy<Task<PostgresServer>> Instance = new(StartAsync);
    private int counter;

    private PostgresServer(string adminConnectionString) => AdminConnectionString = adminConnectionString;

    /// <summary>Connection string to the server's <c>postgres</c> database, as a superuser.</summary>
    public string AdminConnectionString { get; }

    /// <summary>The server for this test process, started on first use.</summary>
    public static Task<PostgresServer> Shared() => Instance.Value;

    /// <summary>Creates an empty database (optionally from a template) and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string? template = null, string prefix = "t")
    {
        var name = $"{prefix}_{Environment.ProcessId}_{Interlocked.Increment(ref counter)}_{Guid.NewGuid():N}"[..40].ToLowerInvariant();
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        // Identifiers cannot be parameters; the name is built above from digits, letters and '_' only.
        var sql = template is null ? $"create database \"{name}\"" : $"create database \"{name}\" template \"{template}\"";
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await using var command = new NpgsqlCommand(sql, connection);
                await command.ExecuteNonQueryAsync();
                break;
            }
            catch (PostgresException e) when (e.SqlState == "55006" && attempt < 50)
            {
                // "source database is being accessed by other users": a template is briefly in use.
                await Task.Delay(100);
            }
        }
        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name }.ConnectionString;
    }

    private static async Task<PostgresServer> StartAsync()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("NEWSLETTER_TEST_DB");
        if (!string.IsNullOrWhiteSpace(fromEnvironment)) return new PostgresServer(fromEnvironment);

        var root = RepositoryRoot.Find();
        var dir = Path.Combine(Path.GetTempPath(), $"newsletter-test-pg-{Environment.ProcessId}");
        var script = Path.Combine(root, "scripts", "pg.sh");
        var (code, output) = await Run("bash", $"\"{script}\" start \"{dir}\"");
        if (code != 0) throw new InvalidOperationException($"could not start PostgreSQL for tests ({script}): {output}");
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            Run("bash", $"\"{script}\" stop \"{dir}\"").GetAwaiter().GetResult();
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        };
        var connectionString = output.Trim().Split('\n')[^1];
        return new PostgresServer(connectionString);
    }

    internal static async Task<(int Code, string Output)> Run(string file, string arguments)
    {
        var info = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, (await stdout) + (await stderr));
    }
}
