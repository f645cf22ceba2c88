using Dapper;
using Npgsql;

namespace Newsletter.Sender.Jobs;

/// <summary>What the admin console shows of the webhook outbox: events given up, and how many still wait.</summary>
public sealed class WebhookFailures(NpgsqlDataSource db)
{
    public async Task<(IReadOnlyList<WebhookFailure> Failed, long Waiting)> RecentAsync(int limit, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var failed = (await connection.QueryAsync<WebhookFailure>(new CommandDefinition(
            """
            select d.id, e.url, d.event_type as EventType, d.created_at as CreatedAt, d.attempts, d.last_error as LastError
            from webhook_deliveries d join webhook_endpoints e on e.id = d.endpoint_id
            where d.state = 'failed' order by d.id desc limit @limit
            """, new { limit }, cancellationToken: ct))).ToList();
        var waiting = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "select count(*) from webhook_deliveries where state = 'pending' and attempts > 0", cancellationToken: ct));
        return (failed, waiting);
    }
}
