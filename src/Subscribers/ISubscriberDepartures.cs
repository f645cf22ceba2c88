using Npgsql;

namespace Newsletter.Subscribers;

/// <summary>
/// What the host does with the mail it queued for a subscriber, and what it recorded about them, when the subscriber
/// leaves or is erased. The host owns those tables (deliveries, click records) and implements this; the subscriber
/// lifecycle calls it inside the transaction that changes the status, so both commit or roll back together.
/// </summary>
public interface ISubscriberDepartures
{
    /// <summary>
    /// The subscriber stopped receiving mail (unsubscribed, bounced, complained): what is queued and not yet handed to
    /// the relay is skipped with <paramref name="reason"/>; what is in flight finishes.
    /// </summary>
    Task LeftAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long subscriberId, string reason, CancellationToken cancellationToken);

    /// <summary>
    /// The subscribers were erased: their queued mail is skipped, the replies recorded about them (they often quote the
    /// address) are cleared and the record of which links they clicked is deleted (counts stay). Also run by the purge
    /// for a send that recorded a reply after the erasure. Returns how many rows it changed.
    /// </summary>
    Task<int> ErasedAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, long[] subscriberIds, CancellationToken cancellationToken);
}
