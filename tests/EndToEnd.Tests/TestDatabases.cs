using Newsletter.Sender.Data;
using Newsletter.TestSupport;
using Npgsql;

namespace Newsletter.EndToEnd.Tests;

/// <summary>Migrated databases for tests, from the same migrator production uses.</summary>
public static class TestDatabases
{
    private static readonly TemplateDatabase Template = new(async connectionString =>
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await Migrator.MigrateAsync(dataSource);
    });

    public static Task<string> CreateAsync() => Template.CreateAsync();

    /// <summary>An empty database: the service must migrate it itself.</summary>
    public static async Task<string> CreateEmptyAsync() => await (await PostgresServer.Shared()).CreateDatabaseAsync();
}
