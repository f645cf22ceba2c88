using Newsletter.Database;
using Npgsql;

namespace Newsletter.TestSupport;

/// <summary>Migrated databases for every test project, from the same migrator production uses (src/Database).</summary>
public static class TestDatabases
{
    private static readonly TemplateDatabase Template = new(async connectionString =>
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await Migrator.MigrateAsync(dataSource);
    });

    /// <summary>A new database with the full schema; returns its connection string.</summary>
    public static Task<string> CreateAsync() => Template.CreateAsync();

    /// <summary>An empty database: the service must migrate it itself.</summary>
    public static async Task<string> CreateEmptyAsync() => await (await PostgresServer.Shared()).CreateDatabaseAsync();
}
