using System.Collections.Concurrent;
using Dapper;
using Npgsql;

namespace Newsletter.Sender.Editions;

/// <summary>
/// The stored links of editions. An edition's links never change once it is rendered, so the redirect keeps them in
/// memory after the first click (only editions that exist and have links are kept: a forged id costs one query,
/// never memory).
/// </summary>
public sealed class EditionLinks(NpgsqlDataSource db)
{
    private readonly ConcurrentDictionary<long, IReadOnlyDictionary<int, TrackedLink>> cache = new();

    /// <summary>Stores the links of a freshly rendered edition, in the transaction that stores its HTML.</summary>
    public static Task InsertAsync(NpgsqlConnection connection, NpgsqlTransaction tx, long editionId, IReadOnlyList<TrackedLink> links, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(links);
        if (links.Count == 0) return Task.CompletedTask;
        return connection.ExecuteAsync(new CommandDefinition(
            """
            insert into edition_links (edition_id, link_id, url, slug, html_href)
            select @editionId, v.link_id, v.url, v.slug, v.html_href from unnest(@ids, @urls, @slugs, @hrefs) as v(link_id, url, slug, html_href)
            """,
            new
            {
                editionId,
                ids = links.Select(l => l.LinkId).ToArray(),
                urls = links.Select(l => l.Url).ToArray(),
                slugs = links.Select(l => l.Slug).ToArray(),
                hrefs = links.Select(l => l.HtmlHref).ToArray(),
            }, tx, cancellationToken: ct));
    }

    /// <summary>The edition's links in order (the archive and the report use them).</summary>
    public static async Task<IReadOnlyList<TrackedLink>> ListAsync(NpgsqlConnection connection, long editionId, CancellationToken ct)
        => (await connection.QueryAsync<TrackedLink>(new CommandDefinition(
            "select link_id as LinkId, url, slug, html_href as HtmlHref from edition_links where edition_id = @editionId order by link_id",
            new { editionId }, cancellationToken: ct))).ToList();

    /// <summary>One link of an edition, or null when the edition has no such link.</summary>
    public async ValueTask<TrackedLink?> FindAsync(long editionId, int linkId, CancellationToken ct)
    {
        if (!cache.TryGetValue(editionId, out var links))
        {
            await using var connection = await db.OpenConnectionAsync(ct);
            var list = await ListAsync(connection, editionId, ct);
            if (list.Count == 0) return null;
            links = list.ToDictionary(l => l.LinkId);
            cache.TryAdd(editionId, links);
        }
        return links.GetValueOrDefault(linkId);
    }
}
