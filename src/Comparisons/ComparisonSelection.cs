using Npgsql;

namespace Newsletter.Comparisons;

/// <summary>
/// Which comparisons go into a weekly edition.
/// <para><b>Consumed.</b> A comparison is consumed once it sits in a non-excluded <c>edition_comparisons</c>
/// row of a non-test edition whose state is <c>sending</c>, <c>paused</c> or <c>sent</c>, or <c>cancelled</c>
/// after at least one delivery of it was sent (some readers have it; sending it again would repeat it for
/// them). A cancelled edition that sent nothing, a draft, a scheduled or skipped edition, a test edition and an
/// excluded row consume nothing. Consumption is by id, and an update keeps the id: a comparison changed after
/// it was sent is never sent again.</para>
/// <para><b>Eligible.</b> Not consumed, published at or before the edition's cutoff, and published after
/// <c>cutoff − look-back</c> (default <see cref="DefaultLookBack"/>, 14 days; <c>Newsletter__ComparisonLookBackDays</c>).
/// The previous edition's cutoff is deliberately not a lower bound: what did not fit (or whose edition was
/// cancelled unsent or skipped) rolls over into the next edition. The look-back is what keeps a fresh install
/// with a backlog, or a long rollover queue, from mailing stale pages: older comparisons age out unsent.</para>
/// <para><b>Order and cap.</b> Newest first (published_at, then id, descending), at most <c>max</c>
/// (<c>Newsletter__MaxComparisonsPerEdition</c>, default 6). The older ones left over stay eligible next week
/// while within the look-back; newer pages then come first. Nothing eligible → an empty list.</para>
/// </summary>
public static class ComparisonSelection
{
    public static readonly TimeSpan DefaultLookBack = new SelectionOptions().LookBack;

    /// <summary>
    /// SQL condition, over <c>edition_comparisons ec</c> joined to <c>editions e</c>, that the row consumes its
    /// comparison (see the type's remarks).
    /// </summary>
    public const string ConsumedCondition =
        """
        not ec.excluded and not e.is_test
        and (e.state in ('sending', 'paused', 'sent')
             or (e.state = 'cancelled' and exists (select 1 from deliveries d where d.edition_id = e.id and d.state = 'sent')))
        """;

    /// <inheritdoc cref="SelectAsync(NpgsqlConnection, NpgsqlTransaction?, DateTimeOffset, int, TimeSpan, CancellationToken)"/>
    public static Task<IReadOnlyList<SelectedComparison>> SelectAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, DateTimeOffset cutoff, int max, CancellationToken cancellationToken) =>
        SelectAsync(connection, transaction, cutoff, max, DefaultLookBack, cancellationToken);

    /// <summary>The comparisons eligible for an edition with this cutoff, newest first, at most <paramref name="max"/>.</summary>
    public static async Task<IReadOnlyList<SelectedComparison>> SelectAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, DateTimeOffset cutoff, int max, TimeSpan lookBack, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lookBack, TimeSpan.Zero);
        await using var command = new NpgsqlCommand(
            $"""
            select c.id, c.document::text
              from comparisons c
             where c.published_at <= @cutoff
               and c.published_at > @since
               and not exists (select 1
                                 from edition_comparisons ec join editions e on e.id = ec.edition_id
                                where ec.comparison_id = c.id and {ConsumedCondition})
             order by c.published_at desc, c.id desc
             limit @max
            """, connection, transaction);
        command.Parameters.AddWithValue("cutoff", cutoff.ToUniversalTime());
        command.Parameters.AddWithValue("since", (cutoff - lookBack).ToUniversalTime());
        command.Parameters.AddWithValue("max", max);
        var list = new List<SelectedComparison>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            list.Add(new SelectedComparison(reader.GetInt64(0), ComparisonCanonical.FromJson(reader.GetString(1))));
        return list;
    }

    /// <summary>What is not sent is not consumed: keeps only <paramref name="sent"/> among the edition's comparisons.</summary>
    public static async Task KeepOnlyAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, long editionId, IReadOnlyList<long> sent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(sent);
        await using var delete = new NpgsqlCommand(
            "delete from edition_comparisons where edition_id = @edition and not (comparison_id = any(@ids))", connection, transaction);
        delete.Parameters.AddWithValue("edition", editionId);
        delete.Parameters.AddWithValue("ids", sent.ToArray());
        await delete.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Gives an edition's comparisons back to the next edition (the edition went out to nobody).</summary>
    public static Task ReleaseAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, long editionId, CancellationToken cancellationToken)
        => KeepOnlyAsync(connection, transaction, editionId, [], cancellationToken);

    /// <summary>
    /// Records <paramref name="ids"/> as the edition's comparisons, position 0.. in the given order. Called again
    /// for the same edition (a draft re-selected), rows no longer listed are removed and the admin's exclusion of
    /// rows that stay is kept.
    /// </summary>
    public static async Task RecordAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, long editionId, IReadOnlyList<long> ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Distinct().Count() != ids.Count) throw new ArgumentException("comparison ids must be distinct", nameof(ids));
        var array = ids.ToArray();
        await KeepOnlyAsync(connection, transaction, editionId, ids, cancellationToken);
        // unnest ... with ordinality numbers the ids 1..n in array order.
        await using var insert = new NpgsqlCommand(
            """
            insert into edition_comparisons (edition_id, comparison_id, position)
            select @edition, u.id, (u.ord - 1)::int
              from unnest(@ids) with ordinality as u(id, ord)
            on conflict (edition_id, comparison_id) do update set position = excluded.position
            """, connection, transaction);
        insert.Parameters.AddWithValue("edition", editionId);
        insert.Parameters.AddWithValue("ids", array);
        await insert.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// The admin's order and exclusions for a draft or scheduled edition: <paramref name="orderedIds"/> lists
    /// every comparison of the edition once, in the wanted order; <paramref name="excludedIds"/> (a subset) are
    /// kept in the edition but marked excluded (not sent, not consumed); the others are included.
    /// </summary>
    /// <exception cref="EditionComparisonsException">the edition is absent or past scheduled, or the ids are not exactly its comparisons.</exception>
    public static async Task ReorderAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, long editionId, IReadOnlyList<long> orderedIds, IReadOnlyCollection<long> excludedIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(orderedIds);
        ArgumentNullException.ThrowIfNull(excludedIds);
        await using (var state = new NpgsqlCommand("select state from editions where id = @id for update", connection, transaction))
        {
            state.Parameters.AddWithValue("id", editionId);
            var value = await state.ExecuteScalarAsync(cancellationToken) as string
                ?? throw new EditionComparisonsException($"edition {editionId} does not exist");
            if (value is not ("draft" or "scheduled"))
                throw new EditionComparisonsException($"edition {editionId} is {value}; only draft and scheduled editions can be reordered");
        }
        var current = new HashSet<long>();
        await using (var read = new NpgsqlCommand("select comparison_id from edition_comparisons where edition_id = @id", connection, transaction))
        {
            read.Parameters.AddWithValue("id", editionId);
            await using var reader = await read.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) current.Add(reader.GetInt64(0));
        }
        if (orderedIds.Distinct().Count() != orderedIds.Count || !current.SetEquals(orderedIds))
            throw new EditionComparisonsException($"the order must list each of edition {editionId}'s comparisons exactly once ({string.Join(", ", current.Order())})");
        if (!excludedIds.All(current.Contains))
            throw new EditionComparisonsException($"excluded comparisons must belong to edition {editionId}");

        await using var update = new NpgsqlCommand(
            """
            update edition_comparisons ec
               set position = (u.ord - 1)::int,
                   excluded = ec.comparison_id = any(@excluded)
              from unnest(@ids) with ordinality as u(id, ord)
             where ec.edition_id = @edition and ec.comparison_id = u.id
            """, connection, transaction);
        update.Parameters.AddWithValue("edition", editionId);
        update.Parameters.AddWithValue("ids", orderedIds.ToArray());
        update.Parameters.AddWithValue("excluded", excludedIds.ToArray());
        await update.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The edition's comparisons in stored order; excluded ones only when asked for (the admin page).</summary>
    public static async Task<IReadOnlyList<EditionComparison>> ForEditionAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, long editionId, bool includeExcluded, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = new NpgsqlCommand(
            """
            select c.id, c.document::text, ec.position, ec.excluded
              from edition_comparisons ec join comparisons c on c.id = ec.comparison_id
             where ec.edition_id = @edition and (@all or not ec.excluded)
             order by ec.position, c.published_at desc, c.id desc
            """, connection, transaction);
        command.Parameters.AddWithValue("edition", editionId);
        command.Parameters.AddWithValue("all", includeExcluded);
        var list = new List<EditionComparison>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            list.Add(new EditionComparison(reader.GetInt64(0), ComparisonCanonical.FromJson(reader.GetString(1)), reader.GetInt32(2), reader.GetBoolean(3)));
        return list;
    }
}
