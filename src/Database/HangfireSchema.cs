using Hangfire.PostgreSql;
using Npgsql;

namespace Newsletter.Database;

/// <summary>
/// Hangfire's tables, in their own schema. Installed by the migrator while it holds its advisory lock, so two
/// instances starting together never race on them (the storage itself is built with PrepareSchemaIfNecessary off).
/// </summary>
public static class HangfireSchema
{
    public const string Name = "hangfire";

    /// <summary>Creates or upgrades the schema (idempotent: each Hangfire.PostgreSql version script applies once).</summary>
    public static void Install(NpgsqlConnection connection) => PostgreSqlObjectsInstaller.Install(connection, Name);
}
