using Dapper;
using Npgsql;

namespace Newsletter.Sender.Delivery;

/// <summary>
/// Skips deliveries not yet handed to the relay (pending or deferred); those in flight finish and are recorded.
/// The one place that statement is written; run it in the transaction that makes them moot.
/// </summary>
public static class PendingDeliveries
{
    /// <summary>Skips an edition's open deliveries with <paramref name="why"/> as their last reply.</summary>
    public static Task<int> SkipForEditionAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, long editionId, string why,
        CancellationToken ct)
        => connection.ExecuteAsync(new CommandDefinition(
            """
            update deliveries set state = 'skipped', last_reply = @why
            where edition_id = @editionId and state in ('pending', 'deferred')
            """, new { editionId, why }, transaction, cancellationToken: ct));

    /// <summary>Skips a subscriber's open deliveries (an unsubscribe, a bounce, an erasure).</summary>
    public static Task<int> SkipForSubscriberAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, long subscriberId, string why,
        CancellationToken ct)
        => connection.ExecuteAsync(new CommandDefinition(
            // Through the editions that can still have open deliveries: (edition_id, subscriber_id) is indexed,
            // subscriber_id alone is not (an index on it would slow every edition's queueing).
            """
            update deliveries set state = 'skipped', last_reply = @why
            where edition_id = any(array(select id from editions where state in ('sending', 'paused')))
              and subscriber_id = @subscriberId and state in ('pending', 'deferred')
            """, new { subscriberId, why }, transaction, cancellationToken: ct));
}
