using System.Text;
using Npgsql;
using NpgsqlTypes;

namespace Newsletter.Comparisons;

/// <summary>
/// The <c>comparisons</c> table. A comparison is identified by its slug; the whole <see cref="Comparison"/> is
/// kept as a jsonb document beside a few columns the queries need (title, url, published_at, category).
/// </summary>
public sealed class ComparisonStore(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// Validates and stores <paramref name="comparison"/> by slug, in one transaction: <c>Created</c> for a new
    /// slug, <c>Updated</c> when the canonical JSON changed, <c>Unchanged</c> (nothing written) when its SHA-256
    /// equals the stored <c>content_hash</c>. Concurrent upserts of one slug serialise on the unique index;
    /// none fails. An update keeps the id, so a comparison already sent is still recognised as sent.
    /// </summary>
    /// <exception cref="ComparisonValidationException">the comparison breaks a content rule; nothing is written.</exception>
    public async Task<UpsertResult> UpsertAsync(Comparison comparison, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        var normalized = ComparisonCanonical.Normalize(comparison);
        ComparisonValidator.EnsureValid(normalized);
        var json = ComparisonCanonical.ToJson(normalized);
        var hash = ComparisonCanonical.Hash(json);

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);

        // The "where" of "do update" skips identical content: no row comes back then. xmax = 0 on the returned
        // row means it was inserted by this statement (an updated row version carries our transaction id in xmax).
        await using (var upsert = new NpgsqlCommand(
            """
            insert into comparisons as c (slug, title, url, published_at, category, document, content_hash)
            values (@slug, @title, @url, @published_at, @category, @document, @content_hash)
            on conflict (slug) do update
               set title        = excluded.title,
                   url          = excluded.url,
                   published_at = excluded.published_at,
                   category     = excluded.category,
                   document     = excluded.document,
                   content_hash = excluded.content_hash,
                   updated_at   = now()
             where c.content_hash <> excluded.content_hash
            returning c.id, (c.xmax = 0) as inserted
            """, connection, tx))
        {
            upsert.Parameters.AddWithValue("slug", normalized.Slug);
            upsert.Parameters.AddWithValue("title", normalized.Title);
            upsert.Parameters.AddWithValue("url", (object?)normalized.Url ?? DBNull.Value);
            upsert.Parameters.AddWithValue("published_at", normalized.PublishedAt);
            upsert.Parameters.AddWithValue("category", (object?)normalized.Category ?? DBNull.Value);
            upsert.Parameters.Add(new NpgsqlParameter("document", NpgsqlDbType.Jsonb) { Value = Encoding.UTF8.GetString(json) });
            upsert.Parameters.AddWithValue("content_hash", hash);
            await using var reader = await upsert.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                var id = reader.GetInt64(0);
                var inserted = reader.GetBoolean(1);
                await reader.DisposeAsync();
                await tx.CommitAsync(cancellationToken);
                return new UpsertResult(id, normalized.Slug, inserted ? UpsertOutcome.Created : UpsertOutcome.Updated);
            }
        }

        // Same content already stored (possibly by a concurrent upsert that committed first).
        await using var select = new NpgsqlCommand("select id from comparisons where slug = @slug", connection, tx);
        select.Parameters.AddWithValue("slug", normalized.Slug);
        var existing = (long)(await select.ExecuteScalarAsync(cancellationToken))!;
        await tx.CommitAsync(cancellationToken);
        return new UpsertResult(existing, normalized.Slug, UpsertOutcome.Unchanged);
    }

    /// <summary>The comparison stored under <paramref name="slug"/>, or null.</summary>
    public async Task<StoredComparison?> GetAsync(string slug, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(slug);
        await using var command = dataSource.CreateCommand(
            $"""
            select c.id, c.document::text, c.created_at, c.updated_at,
                   (select min(ec.edition_id)
                      from edition_comparisons ec join editions e on e.id = ec.edition_id
                     where ec.comparison_id = c.id and {ComparisonSelection.ConsumedCondition})
              from comparisons c
             where c.slug = @slug
            """);
        command.Parameters.AddWithValue("slug", slug);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken)) return null;
        return new StoredComparison(
            reader.GetInt64(0),
            ComparisonCanonical.FromJson(reader.GetString(1)),
            reader.GetFieldValue<DateTimeOffset>(2),
            reader.GetFieldValue<DateTimeOffset>(3),
            reader.IsDBNull(4) ? null : reader.GetInt64(4));
    }

    /// <summary>Comparisons newest first, filtered by whether an edition has consumed them (sent) or not.</summary>
    public async Task<IReadOnlyList<ComparisonListItem>> ListAsync(ComparisonStatusFilter status, int limit, int offset, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        // The lateral subquery finds the first edition that consumed the comparison, if any.
        await using var command = dataSource.CreateCommand(
            $"""
            select c.id, c.slug, c.title, c.url, c.published_at, c.category, c.updated_at, s.edition_id, s.sent_at
              from comparisons c
              left join lateral (
                    select e.id as edition_id, coalesce(e.started_at, e.finished_at) as sent_at
                      from edition_comparisons ec join editions e on e.id = ec.edition_id
                     where ec.comparison_id = c.id and {ComparisonSelection.ConsumedCondition}
                     order by e.id
                     limit 1) s on true
             where @status = 'all' or (@status = 'sent') = (s.edition_id is not null)
             order by c.published_at desc, c.id desc
             limit @limit offset @offset
            """);
        command.Parameters.AddWithValue("status", status.ToString().ToLowerInvariant());
        command.Parameters.AddWithValue("limit", limit);
        command.Parameters.AddWithValue("offset", offset);
        var list = new List<ComparisonListItem>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new ComparisonListItem(
                reader.GetInt64(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.GetFieldValue<DateTimeOffset>(4),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.GetFieldValue<DateTimeOffset>(6),
                reader.IsDBNull(7) ? null : reader.GetInt64(7),
                reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8)));
        }
        return list;
    }

    /// <summary>How many comparisons no edition has consumed yet (see <see cref="ComparisonSelection"/>), however old.</summary>
    public async Task<long> CountUnsentAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"""
            select count(*) from comparisons c
             where not exists (select 1 from edition_comparisons ec join editions e on e.id = ec.edition_id
                                where ec.comparison_id = c.id and {ComparisonSelection.ConsumedCondition})
            """);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Stores the admin's order and exclusions for a draft or scheduled edition (see <see cref="ComparisonSelection.ReorderAsync"/>).</summary>
    public async Task ReorderEditionAsync(long editionId, IReadOnlyList<long> orderedIds, IReadOnlyCollection<long> excludedIds, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        await ComparisonSelection.ReorderAsync(connection, tx, editionId, orderedIds, excludedIds, cancellationToken);
        await tx.CommitAsync(cancellationToken);
    }
}
