using Newsletter.Database;
using Newsletter.TestSupport;
using Npgsql;

namespace Newsletter.Sender.Tests.Hosting;

public class MigratorTests
{
    [Fact]
    public async Task Migrations_apply_once_and_a_second_run_applies_nothing()
    {
        var server = await PostgresServer.Shared();
        var connectionString = await server.CreateDatabaseAsync();
        await using var dataSource = NpgsqlDataSource.Create(connectionString);

        var first = await Migrator.MigrateAsync(dataSource);
        var second = await Migrator.MigrateAsync(dataSource);

        Assert.Equal(Migrator.All.Select(m => m.Name), first);
        Assert.Empty(second);
        await using var command = dataSource.CreateCommand("select count(*) from schema_migrations");
        Assert.Equal((long)Migrator.All.Count, (long)(await command.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task Two_migrators_starting_together_do_not_race()
    {
        var server = await PostgresServer.Shared();
        var connectionString = await server.CreateDatabaseAsync();
        await using var a = NpgsqlDataSource.Create(connectionString);
        await using var b = NpgsqlDataSource.Create(connectionString);

        var results = await Task.WhenAll(Migrator.MigrateAsync(a), Migrator.MigrateAsync(b));

        // Exactly one of them applied everything; the other found nothing left to do, and neither failed.
        Assert.Equal(Migrator.All.Count, results.Sum(r => r.Count));
        Assert.Contains(results, r => r.Count == 0);
    }
}
