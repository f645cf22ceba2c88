using Dapper;
using Npgsql;

namespace Newsletter.Sender.Delivery;

/// <summary>Marks an edition sent once nothing of it is left to send.</summary>
internal static class EditionFinisher
{
    /// <summary>
    /// Marks sending editions sent when every delivery is queued and none is left pending, sending or deferred,
    /// re-read from the database; all sending editions when <paramref name="editionIds"/> is null.
    /// </summary>
    public static Task FinishAsync(NpgsqlConnection connection, long[]? editionIds, CancellationToken ct)
        => connection.ExecuteAsync(new CommandDefinition(
            """
            update editions e set state = 'sent', finished_at = now()
            where e.state = 'sending' and e.queue_after is null and (@editions::bigint[] is null or e.id = any(@editions))
              and not exists (select 1 from deliveries d where d.edition_id = e.id and d.state in ('pending', 'sending', 'deferred'))
            """, new { editions = editionIds }, cancellationToken: ct));
}
