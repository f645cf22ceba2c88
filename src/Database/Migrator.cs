using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Newsletter.Database;

/// <summary>
/// Applies the versioned SQL migrations embedded from <c>src/Database/Migrations/NNNN_name.sql</c>, in
/// name order, each in its own transaction, under a session advisory lock so that two instances starting
/// together cannot race. Applied versions are recorded with a checksum; an edited migration that was
/// already applied is reported instead of silently ignored; a shipped file may be deleted once a later migration
/// undoes it (its row stays in schema_migrations). Idempotent: a second run applies nothing. Hangfire's schema is
/// installed last, under the same lock.
/// </summary>
public static class Migrator
{
    /// <summary>Arbitrary but fixed key of the advisory lock that serialises migrators.</summary>
    private const long LockKey = 0x4E_65_77_73_4C_65_74; // "NewsLet"

    public sealed record Migration(string Version, string Name, string Sql, string Checksum);

    /// <summary>The migrations shipped in this assembly, in the order they apply.</summary>
    public static IReadOnlyList<Migration> All { get; } = Load();

    private static List<Migration> Load()
    {
        var assembly = typeof(Migrator).Assembly;
        var list = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            const string marker = ".Migrations.";
            var at = resource.IndexOf(marker, StringComparison.Ordinal);
            if (at < 0 || !resource.EndsWith(".sql", StringComparison.Ordinal)) continue;
            var file = resource[(at + marker.Length)..^4];
            var underscore = file.IndexOf('_');
            var version = underscore > 0 ? file[..underscore] : file;
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var sql = reader.ReadToEnd();
            var checksum = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql)));
            list.Add(new Migration(version, file, sql, checksum));
        }
        list.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return list;
    }

    /// <summary>Applies every pending migration. Returns the names of the ones applied now.</summary>
    /// <exception cref="MigrationChangedException">an applied migration's text changed since.</exception>
    /// <exception cref="NpgsqlException">the database is unreachable or a migration failed (it is rolled back).</exception>
    public static async Task<IReadOnlyList<string>> MigrateAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var lockCommand = new NpgsqlCommand("select pg_advisory_lock(@key)", connection))
        {
            lockCommand.Parameters.AddWithValue("key", LockKey);
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }
        try
        {
            await using (var create = new NpgsqlCommand(
                """
                create table if not exists schema_migrations (
                    version    text        primary key,
                    name       text        not null,
                    checksum   text        not null,
                    applied_at timestamptz not null default now())
                """, connection))
            {
                await create.ExecuteNonQueryAsync(cancellationToken);
            }

            var applied = new Dictionary<string, string>(StringComparer.Ordinal);
            await using (var read = new NpgsqlCommand("select version, checksum from schema_migrations", connection))
            await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken)) applied[reader.GetString(0)] = reader.GetString(1);
            }

            var done = new List<string>();
            foreach (var migration in All)
            {
                if (applied.TryGetValue(migration.Version, out var checksum))
                {
                    if (checksum != migration.Checksum)
                        throw new MigrationChangedException(migration.Name);
                    continue;
                }
                await using var tx = await connection.BeginTransactionAsync(cancellationToken);
                await using (var apply = new NpgsqlCommand(migration.Sql, connection, tx))
                {
                    await apply.ExecuteNonQueryAsync(cancellationToken);
                }
                await using (var record = new NpgsqlCommand(
                    "insert into schema_migrations (version, name, checksum) values (@v, @n, @c)", connection, tx))
                {
                    record.Parameters.AddWithValue("v", migration.Version);
                    record.Parameters.AddWithValue("n", migration.Name);
                    record.Parameters.AddWithValue("c", migration.Checksum);
                    await record.ExecuteNonQueryAsync(cancellationToken);
                }
                await tx.CommitAsync(cancellationToken);
                done.Add(migration.Name);
            }
            // Hangfire's own schema, under the same lock: its installer is not safe against a concurrent run.
            HangfireSchema.Install(connection);
            return done;
        }
        finally
        {
            await using var unlock = new NpgsqlCommand("select pg_advisory_unlock(@key)", connection);
            unlock.Parameters.AddWithValue("key", LockKey);
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }
}
