using Dapper;
using Newsletter.Database;
using Npgsql;

namespace Newsletter.Sender.Editions;

/// <summary>
/// Skips deliveries not yet handed to the relay (pending or deferred); those in flight finish and are recorded. Puts
/// failed ones back in the queue. The one place these statements are written; run them in the transaction that
/// makes them so.
/// </summary>
public static class PendingDeliveries
{
    private static readonly string Skipped = DbValue.Sql(DeliveryState.Skipped);
    private static readonly string Pending = DbValue.Sql(DeliveryState.Pending);
    private static readonly string Failed = DbValue.Sql(DeliveryState.Failed);
    private static readonly string Deferred = DbValue.Sql(DeliveryState.Deferred);
    private static readonly string EditionsRetryable = DbValue.Sql(EditionState.Sending, EditionState.Paused, EditionState.Sent, EditionState.Failed);

    /// <summary>Skips an edition's open deliveries with <paramref name="why"/> as their last reply.</summary>
    public static Task<int> SkipForEditionAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, long editionId, string why,
        CancellationToken ct)
        => connection.ExecuteAsync(new CommandDefinition(
            $"""
            update deliveries set state = {Skipped}, last_reply = @why
            where edition_id = @editionId and state in ({StateSets.DueDeliveries})
            """, new { editionId, why }, transaction, cancellationToken: ct));

    /// <summary>Skips a subscriber's open deliveries (an unsubscribe, a bounce, an erasure).</summary>
    public static Task<int> SkipForSubscriberAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, long subscriberId, string why,
        CancellationToken ct)
        => connection.ExecuteAsync(new CommandDefinition(
            // Through the editions that can still have open deliveries: (edition_id, subscriber_id) is indexed,
            // subscriber_id alone is not (an index on it would slow every edition's queueing).
            $"""
            update deliveries set state = {Skipped}, last_reply = @why
            where edition_id = any(array(select id from editions where state in ({StateSets.OpenEditions})))
              and subscriber_id = @subscriberId and state in ({StateSets.DueDeliveries})
            """, new { subscriberId, why }, transaction, cancellationToken: ct));

    /// <summary>Deferred deliveries of <paramref name="editionIds"/> are due now, not after their backoff (the relay is back).</summary>
    public static Task<int> DueNowAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, long[] editionIds, CancellationToken ct)
        => connection.ExecuteAsync(new CommandDefinition(
            $"update deliveries set next_attempt_at = now() where edition_id = any(@editionIds) and state = {Deferred}",
            new { editionIds }, transaction, cancellationToken: ct));

    /// <summary>
    /// Puts an edition's failed deliveries back in the queue with a fresh retry window (the edition's paused time
    /// does not count against it); returns how many. Subscribers who left since are skipped when claimed.
    /// </summary>
    public static Task<int> RequeueFailedAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, long editionId, CancellationToken ct)
        => connection.ExecuteAsync(new CommandDefinition(
            $"""
            update deliveries d set state = {Pending}, next_attempt_at = now(), window_start = now() - e.paused_total,
                   last_reply = 'retry requested: ' || coalesce(d.last_reply, '')
            from editions e
            where d.edition_id = @editionId and d.state = {Failed} and e.id = @editionId and e.state in ({EditionsRetryable})
            """, new { editionId }, transaction, cancellationToken: ct));
}
