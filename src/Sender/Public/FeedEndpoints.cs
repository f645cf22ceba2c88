using Newsletter.Sender.Editions;
using Newsletter.Database;
using System.Globalization;
using System.Text;
using System.Xml;
using Dapper;
using Npgsql;

using Newsletter.Sender.Hosting;

namespace Newsletter.Sender.Public;

/// <summary>The archive as an Atom feed (RFC 4287): one entry per sent edition, newest first.</summary>
public static class FeedEndpoints
{
    private static readonly string Sent = DbValue.Sql(EditionState.Sent);

    private const string Atom = "http://www.w3.org/2005/Atom";
    private const int MaxEntries = 50;

    public static IEndpointRouteBuilder MapFeedEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/archive/feed.xml", async (NpgsqlDataSource db, SiteInfoProvider site, CancellationToken ct) =>
        {
            await using var connection = await db.OpenConnectionAsync(ct);
            var editions = (await connection.QueryAsync<(long Id, string Subject, string? Preheader, DateTime SentAt, DateTime Updated)>(new CommandDefinition(
                $"""
                select id, subject, preheader, coalesce(started_at, created_at), coalesce(finished_at, started_at, created_at) from editions
                where state = {Sent} and not is_test and subject is not null
                order by id desc limit @MaxEntries
                """, new { MaxEntries }, cancellationToken: ct))).ToList();
            var titles = (await connection.QueryAsync<(long EditionId, string Title)>(new CommandDefinition(
                """
                select ec.edition_id, c.title from edition_comparisons ec join comparisons c on c.id = ec.comparison_id
                where ec.edition_id = any(@ids) and not ec.excluded order by ec.edition_id, ec.position
                """, new { ids = editions.Select(e => e.Id).ToArray() }, cancellationToken: ct))).ToLookup(r => r.EditionId, r => r.Title);
            return TypedResults.Text(Write(site, editions.Select(e => (e.Id, e.Subject, e.Preheader, UtcTimes.Of(e.SentAt), UtcTimes.Of(e.Updated), titles[e.Id].ToList())).ToList()),
                "application/atom+xml; charset=utf-8");
        });
        return app;
    }


    private static string Write(SiteInfoProvider site, List<(long Id, string Subject, string? Preheader, DateTimeOffset Published, DateTimeOffset Updated, List<string> Titles)> entries)
    {
        var info = site.Get();
        var feedUrl = site.ArchiveIndexUrl() + "/feed.xml";
        var sb = new StringBuilder();
        using (var w = XmlWriter.Create(sb, new XmlWriterSettings { Encoding = Encoding.UTF8, Indent = true, Async = false }))
        {
            w.WriteStartDocument();
            w.WriteStartElement("feed", Atom);
            w.WriteElementString("id", Atom, feedUrl);
            w.WriteElementString("title", Atom, info.NewsletterName);
            w.WriteElementString("updated", Atom, Date(entries.Count > 0 ? entries.Max(e => e.Updated) : DateTimeOffset.UnixEpoch));
            w.WriteStartElement("author", Atom);
            w.WriteElementString("name", Atom, info.NewsletterName);
            w.WriteEndElement();
            Link(w, "self", feedUrl, "application/atom+xml");
            Link(w, "alternate", site.ArchiveIndexUrl(), "text/html");
            foreach (var e in entries)
            {
                var url = site.ArchiveUrl(e.Id);
                w.WriteStartElement("entry", Atom);
                w.WriteElementString("id", Atom, url);
                w.WriteElementString("title", Atom, e.Subject);
                w.WriteElementString("published", Atom, Date(e.Published));
                w.WriteElementString("updated", Atom, Date(e.Updated));
                Link(w, "alternate", url, "text/html");
                w.WriteStartElement("summary", Atom);
                w.WriteAttributeString("type", "text");
                w.WriteString(e.Titles.Count > 0
                    ? $"{e.Titles.Count.ToString(CultureInfo.InvariantCulture)} comparison{(e.Titles.Count == 1 ? "" : "s")}: {string.Join("; ", e.Titles)}."
                    : e.Preheader ?? e.Subject);
                w.WriteEndElement();
                w.WriteEndElement();
            }
            w.WriteEndElement();
            w.WriteEndDocument();
        }
        // XmlWriter into a StringBuilder declares utf-16; the response is UTF-8.
        return sb.ToString().Replace("encoding=\"utf-16\"", "encoding=\"utf-8\"", StringComparison.Ordinal);
    }

    private static void Link(XmlWriter w, string rel, string href, string type)
    {
        w.WriteStartElement("link", Atom);
        w.WriteAttributeString("rel", rel);
        w.WriteAttributeString("type", type);
        w.WriteAttributeString("href", href);
        w.WriteEndElement();
    }

    private static string Date(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
