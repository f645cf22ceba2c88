using Dapper;
using Npgsql;

namespace Newsletter.Sender.Delivery;

/// <summary>Ends an edition once nothing of it is left to send: 'sent', or 'failed' when nothing was delivered.</summary>
internal static class EditionFinisher
{
    /// <summary>
    /// Ends sending editions when every delivery is queued and none is left pending, sending or deferred, re-read from
    /// the database; all sending editions when <paramref name="editionIds"/> is null. An edition where deliveries
    /// failed and none was sent ends 'failed' with the most common reply as the reason; one where some failed ends
    /// 'sent' with their count as the reason.
    /// </summary>
    public static Task FinishAsync(NpgsqlConnection connection, long[]? editionIds, CancellationToken ct)
        => connection.ExecuteAsync(new CommandDefinition(
            """
            with done as (
                select e.id from editions e
                where e.state = 'sending' and e.queue_after is null and (@editions::bigint[] is null or e.id = any(@editions))
                  and not exists (select 1 from deliveries d where d.edition_id = e.id and d.state in ('pending', 'sending', 'deferred'))),
            counts as (
                select d.edition_id, count(*) filter (where d.state = 'sent') as sent, count(*) filter (where d.state = 'failed') as failed,
                       count(*) as total
                from deliveries d where d.edition_id in (select id from done) group by d.edition_id)
            update editions e
            set state = case when coalesce(c.sent, 0) = 0 and coalesce(c.failed, 0) > 0 then 'failed' else 'sent' end,
                finished_at = now(),
                reason = case
                    when coalesce(c.failed, 0) = 0 then null
                    when c.sent = 0 then 'nothing delivered: all ' || c.failed || ' deliveries failed; most often: ' || coalesce(
                        (select d.last_reply from deliveries d where d.edition_id = e.id and d.state = 'failed'
                         group by d.last_reply order by count(*) desc limit 1), '?')
                    else c.failed || ' of ' || c.total || ' deliveries failed' end
            from done left join counts c on c.edition_id = done.id
            where e.id = done.id and e.state = 'sending'
            """, new { editions = editionIds }, cancellationToken: ct));
}
