using Hangfire.PostgreSql;
using Npgsql;

namespace Newsletter.Sender.Jobs;

/// <summary>Hangfire's connections come from the process's one data source (its pool, its connection string).</summary>
public sealed class DataSourceConnectionFactory(NpgsqlDataSource db) : IConnectionFactory
{
    public NpgsqlConnection GetOrCreateConnection() => db.CreateConnection();
}
