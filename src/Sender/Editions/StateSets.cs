using Newsletter.Database;

namespace Newsletter.Sender.Editions;

/// <summary>Sets of states that several statements share, as SQL literal lists (see <see cref="DbValue"/>).</summary>
internal static class StateSets
{
    /// <summary>Deliveries not yet handed to the relay: due now or after their backoff (the deliveries_due index's predicate).</summary>
    public static readonly string DueDeliveries = DbValue.Sql(DeliveryState.Pending, DeliveryState.Deferred);

    /// <summary>Editions whose deliveries may still go out: sending, or paused until a resume.</summary>
    public static readonly string OpenEditions = DbValue.Sql(EditionState.Sending, EditionState.Paused);
}
