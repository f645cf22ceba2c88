using Dapper;
using Newsletter.Database;
using Newsletter.Subscribers;
using Npgsql;

namespace Newsletter.Sender.Editions;

/// <summary>
/// The host's side of a subscriber's leaving: the deliveries queued for them are skipped, and on erasure what the
/// deliveries and the click records hold about them goes. Registered by <see cref="DeliveryExtensions.AddSubscriberDepartures"/>.
/// </summary>
public sealed class SubscriberDepartures : ISubscriberDepartures
{
    private static readonly string Skipped = DbValue.Sql(DeliveryState.Skipped);

    public Task LeftAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long subscriberId, string reason, CancellationToken cancellationToken)
        => PendingDeliveries.SkipForSubscriberAsync(connection, transaction, subscriberId, reason, cancellationToken);

    public async Task<int> ErasedAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, long[] subscriberIds, CancellationToken cancellationToken)
    {
        if (subscriberIds.Length == 0) return 0;
        // Through every edition: (edition_id, subscriber_id) is indexed, subscriber_id alone is not.
        return await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            $"""
            with d as (update deliveries set last_reply = null,
                              state = case when state in ({StateSets.DueDeliveries}) then {Skipped} else state end
                       where edition_id = any(array(select id from editions)) and subscriber_id = any(@subscriberIds)
                         and (last_reply is not null or state in ({StateSets.DueDeliveries}))
                       returning 1)
            , r as (delete from edition_link_readers where subscriber_id = any(@subscriberIds) returning 1)
            select ((select count(*) from d) + (select count(*) from r))::int
            """, new { subscriberIds }, transaction, cancellationToken: cancellationToken));
    }
}
