using Dapper;
using Newsletter.Subscribers;
using Npgsql;

namespace Newsletter.Sender.Editions;

/// <summary>
/// What the host's tables hold about one subscriber: the editions sent to them and the links they clicked
/// (individual click tracking). The subscriber's own rows come from <see cref="SubscriberAdmin"/>; the access request
/// and the console's subscriber page are both composed here, so no project below the host reads these tables.
/// </summary>
public sealed class SubscriberActivity(NpgsqlDataSource db)
{
    /// <summary><paramref name="detail"/> with its deliveries and clicks.</summary>
    public async Task<SubscriberDetail> AddToAsync(SubscriberDetail detail, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(detail);
        var id = detail.Id;
        await using var connection = await db.OpenConnectionAsync(ct);
        // Through every edition: (edition_id, subscriber_id) is indexed, subscriber_id alone is not.
        var deliveries = await connection.QueryAsync<DeliveryRecord>(new CommandDefinition(
            """
            select d.edition_id as EditionId, e.subject, d.state, d.attempts, d.sent_at as SentAt, d.last_reply as LastReply
            from deliveries d join editions e on e.id = d.edition_id
            where d.edition_id = any(array(select id from editions)) and d.subscriber_id = @id order by d.edition_id
            """, new { id }, cancellationToken: ct));
        var clicks = await connection.QueryAsync<ClickRecord>(new CommandDefinition(
            """
            select r.edition_id as EditionId, l.url, l.slug, r.first_at as FirstAt, r.last_at as LastAt, r.clicks
            from edition_link_readers r join edition_links l on l.edition_id = r.edition_id and l.link_id = r.link_id
            where r.subscriber_id = @id order by r.edition_id, r.link_id
            """, new { id }, cancellationToken: ct));
        return detail with { Deliveries = deliveries.ToList(), Clicks = clicks.ToList() };
    }
}
