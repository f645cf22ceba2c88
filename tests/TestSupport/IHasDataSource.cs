using Npgsql;

namespace Newsletter.TestSupport;

/// <summary>A test's own migrated database, whatever fixture created it (the whole service or only a domain's services).</summary>
public interface IHasDataSource
{
    NpgsqlDataSource DataSource { get; }
}
