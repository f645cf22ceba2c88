using Newsletter.Database;
using System.Diagnostics;
using Newsletter.TestSupport;
using Npgsql;

namespace Newsletter.EndToEnd.Tests;

/// <summary>
/// A PostgreSQL cluster of one test's own (scripts/pg.sh), for tests that restart the database: restarting the shared
/// server would cut every other test running meanwhile.
/// </summary>
public sealed class PrivateCluster : IAsyncDisposable
{
    private readonly string directory;

    private PrivateCluster(string directory, string adminConnectionString)
    {
        this.directory = directory;
        AdminConnectionString = adminConnectionString;
    }

    public string AdminConnectionString { get; }

    public static async Task<PrivateCluster> StartAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), "newsletter-private-pg-" + Guid.NewGuid().ToString("N")[..12]);
        var (code, output) = await PgAsync("start", directory);
        if (code != 0) throw new InvalidOperationException("could not start a private PostgreSQL: " + output);
        return new PrivateCluster(directory, output.Trim().Split('\n')[^1]);
    }

    /// <summary>Creates a database and migrates it with the production migrator; returns its connection string.</summary>
    public async Task<string> CreateMigratedDatabaseAsync()
    {
        await using (var admin = new NpgsqlConnection(AdminConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand("create database newsletter", admin);
            await create.ExecuteNonQueryAsync();
        }
        var connectionString = new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = "newsletter" }.ConnectionString;
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await Migrator.MigrateAsync(dataSource);
        return connectionString;
    }

    /// <summary><c>pg_ctl restart -m fast</c>: every session is cut, the server is back when this returns.</summary>
    public async Task RestartAsync()
    {
        var (code, output) = await PgAsync("restart", directory);
        if (code != 0) throw new InvalidOperationException("pg_ctl restart failed: " + output);
    }

    public async ValueTask DisposeAsync()
    {
        await PgAsync("stop", directory);
        try
        {
            var target = new DirectoryInfo(directory).LinkTarget;
            if (target is not null) Directory.Delete(target, recursive: true);
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private static async Task<(int Code, string Output)> PgAsync(string command, string directory)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(RepositoryRoot.Find(), "scripts", "pg.sh"));
        info.ArgumentList.Add(command);
        info.ArgumentList.Add(directory);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, (await stdout) + (await stderr));
    }
}
