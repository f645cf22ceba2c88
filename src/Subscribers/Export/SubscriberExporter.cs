using System.Globalization;
using Npgsql;

namespace Newsletter.Subscribers;

/// <summary>
/// The list as CSV (header <see cref="Header"/>; times ISO 8601 UTC; consent columns only for a confirmed consent, so a
/// re-import brings unconfirmed rows back as pending), streamed row by row. Without a status every subscriber but
/// erased ones.
/// </summary>
public sealed class SubscriberExporter(NpgsqlDataSource db)
{
    public static readonly string[] Header = ["email", "name", "status", "created_at", "confirmed_at", "consented_at", "consent_source"];

    /// <summary>The header as its line reads (without the line break).</summary>
    public static readonly string HeaderLine = string.Join(',', Header);

    /// <summary>Writes the rows to <paramref name="output"/> (left open); returns how many. Throws <see cref="ArgumentException"/> for an unknown status.</summary>
    public async Task<long> ExportCsvAsync(SubscriberExportFilter filter, Stream output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (filter.Status is not null && !SubscriberStatus.All.Contains(filter.Status)) throw new ArgumentException($"unknown status '{filter.Status}'", nameof(filter));
        await using var csv = new SubscriberCsvWriter(output);
        foreach (var name in Header) csv.WriteField(name);
        await csv.EndRecordAsync(cancellationToken);
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            """
            select s.email, s.name, s.status, s.created_at, s.confirmed_at, c.confirmed_at, c.source
            from subscribers s
            left join lateral (select confirmed_at, source from consents c
                               where c.subscriber_id = s.id and c.confirmed_at is not null order by c.id desc limit 1) c on true
            where (@status::text is null and s.status <> 'erased') or s.status = @status
            order by s.id
            """, connection);
        command.Parameters.AddWithValue("status", (object?)filter.Status ?? DBNull.Value);
        command.Parameters[0].NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text;
        await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, cancellationToken);
        long rows = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            csv.WriteText(reader.GetString(0));
            csv.WriteText(reader.IsDBNull(1) ? null : reader.GetString(1));
            csv.WriteField(reader.GetString(2));
            csv.WriteField(Time(reader.GetDateTime(3)));
            csv.WriteField(reader.IsDBNull(4) ? null : Time(reader.GetDateTime(4)));
            csv.WriteField(reader.IsDBNull(5) ? null : Time(reader.GetDateTime(5)));
            csv.WriteText(reader.IsDBNull(6) ? null : reader.GetString(6));
            await csv.EndRecordAsync(cancellationToken);
            rows++;
        }
        await csv.FlushAsync(cancellationToken);
        return rows;
    }

    private static string Time(DateTime value) => DateTime.SpecifyKind(value, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
