using Newsletter.Database;
using System.Globalization;
using System.Text;
using Dapper;
using Npgsql;

namespace Newsletter.Sender.Editions;

/// <summary>
/// Builds edition reports from counters: the click and open counter rows (a handful per edition), the delivery
/// counter rows (a few per batch), the failed deliveries for their bounce replies, and the status changes attributed
/// to the edition through their edition index. No query reads every delivery or every click.
/// </summary>
public sealed class EditionReports(NpgsqlDataSource db)
{
    public async Task<EditionReport?> GetAsync(long editionId, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var edition = await connection.QuerySingleOrDefaultAsync<(string? Subject, string State, DateTime? StartedAt, int Recipients)?>(new CommandDefinition(
            "select subject, state, started_at, recipients from editions where id = @editionId", new { editionId }, cancellationToken: ct));
        if (edition is null) return null;
        // The same counts the API and the console show (one source: the delivery counters, never every delivery).
        var counts = await DeliveryCounts.ReadAsync(connection, editionId, ct);
        // Only the failed rows are read (through the same index); the reply says what refused the message.
        var bounces = await connection.QuerySingleAsync<(long Hard, long Soft)>(new CommandDefinition(
            $"""
            select count(*) filter (where last_reply ~ '^5[0-9][0-9] .*\(after RCPT'),
                   count(*) filter (where last_reply ~ '^4[0-9][0-9] .*\(after RCPT')
            from deliveries where edition_id = @editionId and state = {DbValue.Sql(DeliveryState.Failed)}
            """, new { editionId }, cancellationToken: ct));
        var events = (await connection.QueryAsync<(string Status, long Count)>(new CommandDefinition(
            "select to_status, count(*) from subscriber_events where edition_id = @editionId group by to_status", new { editionId }, cancellationToken: ct)))
            .ToDictionary(r => r.Status, r => r.Count);
        var links = (await connection.QueryAsync<(int LinkId, string Url, string? Slug, long Clicks, long Machine, long Unique)>(new CommandDefinition(
            """
            select l.link_id, l.url, l.slug, coalesce(s.clicks, 0), coalesce(s.machine_clicks, 0), coalesce(s.unique_clicks, 0)
            from edition_links l left join edition_link_stats s on s.edition_id = l.edition_id and s.link_id = l.link_id
            where l.edition_id = @editionId order by l.link_id
            """, new { editionId }, cancellationToken: ct))).ToList();
        var readers = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "select count(distinct subscriber_id) from edition_link_readers where edition_id = @editionId", new { editionId }, cancellationToken: ct));
        var opens = await connection.QuerySingleOrDefaultAsync<(long Opens, long Machine)?>(new CommandDefinition(
            "select opens, machine_opens from edition_open_stats where edition_id = @editionId", new { editionId }, cancellationToken: ct));

        // Unique counts exist once any reader was known (Individual mode at click time).
        var anyUnique = links.Any(l => l.Unique > 0);
        long? U(long v) => anyUnique ? v : null;
        var byLink = links.Select(l => new LinkClicks(l.LinkId, l.Url, l.Slug, l.Clicks, U(l.Unique), l.Machine)).ToList();
        var byComparison = links.Where(l => l.Slug is not null).GroupBy(l => l.Slug!)
            .Select(g => new ComparisonClicks(g.Key, g.Sum(l => l.Clicks), U(g.Sum(l => l.Unique)), g.Sum(l => l.Machine))).ToList();
        var total = links.Sum(l => l.Clicks);
        var delivered = counts.Sent;
        var e = edition.Value;
        var unsubscribes = events.GetValueOrDefault("unsubscribed");
        return new EditionReport(editionId, e.Subject, e.State, e.StartedAt, e.Recipients, delivered, counts.Deferred,
            counts.Failed, counts.Pending + counts.Sending,
            new BounceCounts(bounces.Hard, bounces.Soft), events.GetValueOrDefault("complained"), unsubscribes,
            delivered > 0 ? (double)unsubscribes / delivered : null,
            new ClickCounts(total, links.Sum(l => l.Machine), anyUnique ? readers : null, byComparison, byLink),
            delivered > 0 ? (double)(anyUnique ? readers : total) / delivered : null,
            opens is null ? null : new OpenCounts(opens.Value.Opens, opens.Value.Machine));
    }

    /// <summary>Click and unsubscribe rates of the last <paramref name="count"/> sent editions, oldest first (the dashboard's chart).</summary>
    public async Task<IReadOnlyList<EditionRates>> RecentRatesAsync(int count, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<(long Id, DateTime? StartedAt, long Delivered, long Clicks, long Readers, long Unsubscribes)>(new CommandDefinition(
            $"""
            with recent as (select id, started_at from editions where state in ({DbValue.Sql(EditionState.Sending, EditionState.Sent)}) and not is_test order by id desc limit @count)
            select r.id, r.started_at,
                   (select coalesce(sum(sent), 0) from edition_delivery_counts d where d.edition_id = r.id),
                   coalesce((select sum(clicks) from edition_link_stats s where s.edition_id = r.id), 0),
                   (select count(distinct subscriber_id) from edition_link_readers c where c.edition_id = r.id),
                   (select count(*) from subscriber_events e where e.edition_id = r.id and e.to_status = 'unsubscribed')
            from recent r order by r.id
            """, new { count }, cancellationToken: ct));
        return rows.Select(r => new EditionRates(r.Id, r.StartedAt,
            r.Delivered > 0 ? (double)(r.Readers > 0 ? r.Readers : r.Clicks) / r.Delivered : 0,
            r.Delivered > 0 ? (double)r.Unsubscribes / r.Delivered : 0)).ToList();
    }

    /// <summary>The report as CSV: one row per link, then one per comparison, after a block of edition totals.</summary>
    public static string ToCsv(EditionReport r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append("metric,value\r\n");
        void Row(string name, object? value) => sb.Append(name).Append(',').Append(Csv(Convert.ToString(value, inv) ?? "")).Append("\r\n");
        Row("editionId", r.EditionId);
        Row("subject", r.Subject);
        Row("recipients", r.Recipients);
        Row("delivered", r.Delivered);
        Row("deferred", r.Deferred);
        Row("failed", r.Failed);
        Row("bounces.hard", r.Bounces.Hard);
        Row("bounces.soft", r.Bounces.Soft);
        Row("complaints", r.Complaints);
        Row("unsubscribes", r.Unsubscribes);
        Row("clicks.total", r.Clicks.Total);
        Row("clicks.machine", r.Clicks.Machine);
        Row("clicks.unique", r.Clicks.Unique);
        Row("clickRate", r.ClickRate);
        sb.Append("\r\nkind,slug,linkId,url,clicks,unique,machine\r\n");
        foreach (var c in r.Clicks.ByComparison)
            sb.Append("comparison,").Append(Csv(c.Slug)).Append(",,,").Append(c.Clicks.ToString(inv)).Append(',')
              .Append(c.Unique?.ToString(inv)).Append(',').Append(c.Machine.ToString(inv)).Append("\r\n");
        foreach (var l in r.Clicks.ByLink)
            sb.Append("link,").Append(Csv(l.Slug ?? "")).Append(',').Append(l.LinkId.ToString(inv)).Append(',').Append(Csv(l.Url)).Append(',')
              .Append(l.Clicks.ToString(inv)).Append(',').Append(l.Unique?.ToString(inv)).Append(',').Append(l.Machine.ToString(inv)).Append("\r\n");
        return sb.ToString();
    }

    // RFC 4180 quoting; a leading =, +, - or @ is prefixed with ' so a spreadsheet does not run it as a formula.
    private static string Csv(string value)
    {
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@') value = "'" + value;
        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }
}
