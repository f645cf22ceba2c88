using Newsletter.Sender.Data;
using Newsletter.TestSupport;
using Npgsql;

namespace Newsletter.Comparisons.Tests;

/// <summary>Migrated databases for tests, from the same migrator production uses.</summary>
internal static class TestDatabases
{
    private static readonly TemplateDatabase Template = new(async connectionString =>
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await Migrator.MigrateAsync(dataSource);
    });

    /// <summary>A new database with the full schema; returns its connection string.</summary>
    public static Task<string> CreateAsync() => Template.CreateAsync();
}
