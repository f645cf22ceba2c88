using System.Text.Json.Serialization;
using Dapper;
using Npgsql;

namespace Newsletter.Sender.Editions;

/// <summary>
/// How many of an edition's deliveries are in each <see cref="DeliveryState"/>. Read from one source, the counter
/// rows the deliveries' triggers keep (migration 0512), by <see cref="ReadAsync"/>: the API, the console's progress,
/// the edition report and the metrics gauge all show these figures, so no two screens disagree.
/// </summary>
public sealed record DeliveryCounts(long Pending, long Sending, long Sent, long Deferred, long Failed, long Skipped)
{
    public static readonly DeliveryCounts None = new(0, 0, 0, 0, 0, 0);

    /// <summary>Every delivery queued so far.</summary>
    [JsonIgnore]
    public long Total => Pending + Sending + Sent + Deferred + Failed + Skipped;

    /// <summary>Deliveries that will not be tried again: sent, failed or skipped.</summary>
    [JsonIgnore]
    public long Settled => Sent + Failed + Skipped;

    /// <summary>The counts of each edition in <paramref name="editionIds"/>; an edition without deliveries has <see cref="None"/>.</summary>
    public static async Task<IReadOnlyDictionary<long, DeliveryCounts>> ReadAsync(NpgsqlConnection connection, long[] editionIds, CancellationToken ct)
    {
        var rows = await connection.QueryAsync<(long EditionId, long Pending, long Sending, long Sent, long Deferred, long Failed, long Skipped)>(new CommandDefinition(
            """
            select edition_id, sum(pending)::bigint, sum(sending)::bigint, sum(sent)::bigint, sum(deferred)::bigint, sum(failed)::bigint, sum(skipped)::bigint
            from edition_delivery_counts where edition_id = any(@editionIds) group by edition_id
            """, new { editionIds }, cancellationToken: ct));
        var counts = editionIds.Distinct().ToDictionary(id => id, _ => None);
        foreach (var r in rows) counts[r.EditionId] = new DeliveryCounts(r.Pending, r.Sending, r.Sent, r.Deferred, r.Failed, r.Skipped);
        return counts;
    }

    /// <summary>The counts of one edition.</summary>
    public static async Task<DeliveryCounts> ReadAsync(NpgsqlConnection connection, long editionId, CancellationToken ct)
        => (await ReadAsync(connection, [editionId], ct))[editionId];
}
