using Dapper;
using Npgsql;

namespace Newsletter.TestSupport;

/// <summary>Subscriber rows written straight to a test's database, and small queries, for the subscriber tests of every project.</summary>
public static class SubscriberRows
{
    public static async Task<long> InsertAsync(IHasDataSource database, string email, string status = "confirmed")
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>(
            """
            insert into subscribers (email, email_key, status, confirmed_at)
            values (@email, lower(@email), @status, case when @status = 'confirmed' then now() end) returning id
            """, new { email, status });
    }

    public static async Task<long> InsertEditionAsync(IHasDataSource database, string state = "sent")
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>(
            // A paused edition carries why (the schema requires it); an admin's pause is the plainest.
            """
            insert into editions (state, pause_cause, cutoff, subject)
            values (@state, case when @state = 'paused' then 'operator' end, now(), 'Test edition') returning id
            """, new { state });
    }

    public static async Task<string?> StatusAsync(IHasDataSource database, string emailKey)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<string?>("select status from subscribers where email_key = @emailKey", new { emailKey });
    }

    public static async Task<T> ScalarAsync<T>(IHasDataSource database, string sql, object? parameters = null)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        return (await connection.ExecuteScalarAsync<T>(sql, parameters))!;
    }

    /// <summary>Counts rows of one of our tables (never input).</summary>
    public static Task<long> CountAsync(IHasDataSource database, string table, string where = "true")
        => ScalarAsync<long>(database, $"select count(*) from {table} where {where}");

    public static async Task<T> InTransactionAsync<T>(NpgsqlDataSource db, Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work)
    {
        await using var connection = await db.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        var result = await work(connection, tx);
        await tx.CommitAsync();
        return result;
    }
}
