using System.Text;
using Dapper;
using Newsletter.Sender.Tests.Infrastructure;
using Npgsql;

namespace Newsletter.Sender.Tests.Subscribers;

/// <summary>Rows written straight to the database, and small queries, for the subscriber tests.</summary>
internal static class SubscriberTestData
{
    public static async Task<long> InsertAsync(ServiceFactory service, string email, string status = "confirmed")
    {
        await using var connection = await service.DataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>(
            """
            insert into subscribers (email, email_key, status, confirmed_at)
            values (@email, lower(@email), @status, case when @status = 'confirmed' then now() end) returning id
            """, new { email, status });
    }

    public static async Task<long> InsertEditionAsync(ServiceFactory service, string state = "sent")
    {
        await using var connection = await service.DataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>(
            "insert into editions (state, cutoff, subject) values (@state, now(), 'Test edition') returning id", new { state });
    }

    public static async Task<string?> StatusAsync(ServiceFactory service, string emailKey)
    {
        await using var connection = await service.DataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<string?>("select status from subscribers where email_key = @emailKey", new { emailKey });
    }

    public static async Task<T> ScalarAsync<T>(ServiceFactory service, string sql, object? parameters = null)
    {
        await using var connection = await service.DataSource.OpenConnectionAsync();
        return (await connection.ExecuteScalarAsync<T>(sql, parameters))!;
    }

    /// <summary>Counts rows of one of our tables (never input).</summary>
    public static Task<long> CountAsync(ServiceFactory service, string table, string where = "true")
        => ScalarAsync<long>(service, $"select count(*) from {table} where {where}");

    /// <summary>
    /// Waits (with a deadline) until the outbox has no mail left to send, so a test can then assert that no more
    /// files than expected were written.
    /// </summary>
    public static async Task WaitForOutboxDrainedAsync(ServiceFactory service, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (await CountAsync(service, "outbox", "state in ('pending', 'deferred', 'sending')") > 0)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the outbox still has mail to send");
            await Task.Delay(50);
        }
    }

    public static StringContent Csv(string text) => new(text, Encoding.UTF8, "text/csv");

    public static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

    public static async Task<T> InTransactionAsync<T>(NpgsqlDataSource db, Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work)
    {
        await using var connection = await db.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        var result = await work(connection, tx);
        await tx.CommitAsync();
        return result;
    }
}
