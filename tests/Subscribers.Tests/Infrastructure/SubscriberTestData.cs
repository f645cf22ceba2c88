using Dapper;
using Npgsql;

namespace Newsletter.Subscribers.Tests.Infrastructure;

/// <summary>Rows written straight to the database, and small queries, for the subscriber tests.</summary>
internal static class SubscriberTestData
{
    public static async Task<long> InsertAsync(SubscriberDatabase database, string email, string status = "confirmed")
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>(
            """
            insert into subscribers (email, email_key, status, confirmed_at)
            values (@email, lower(@email), @status, case when @status = 'confirmed' then now() end) returning id
            """, new { email, status });
    }

    public static async Task<long> InsertEditionAsync(SubscriberDatabase database, string state = "sent")
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>(
            "insert into editions (state, cutoff, subject) values (@state, now(), 'Test edition') returning id", new { state });
    }

    public static async Task<string?> StatusAsync(SubscriberDatabase database, string emailKey)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<string?>("select status from subscribers where email_key = @emailKey", new { emailKey });
    }

    public static async Task<T> ScalarAsync<T>(SubscriberDatabase database, string sql, object? parameters = null)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        return (await connection.ExecuteScalarAsync<T>(sql, parameters))!;
    }

    /// <summary>Counts rows of one of our tables (never input).</summary>
    public static Task<long> CountAsync(SubscriberDatabase database, string table, string where = "true")
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
