using Newsletter.Database;
using System.Net;
using Dapper;
using Newsletter.Sender.Editions;
using Newsletter.Templates;
using Newsletter.Templates.Pages;
using Npgsql;
using Newsletter.Sender.Hosting;

namespace Newsletter.Sender.Public;

/// <summary>The public archive: past editions, "view in browser".</summary>
public static class ArchiveEndpoints
{
    /// <summary>Editions readers have received, in part or whole: the archive shows these.</summary>
    private static readonly string Published = DbValue.Sql(EditionState.Sending, EditionState.Sent);

    public static IEndpointRouteBuilder MapArchiveEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/archive", async (NpgsqlDataSource db, SiteInfoProvider site, CancellationToken ct) =>
        {
            await using var connection = await db.OpenConnectionAsync(ct);
            var rows = await connection.QueryAsync<(long Id, string Subject, DateTime SentAt)>(new CommandDefinition(
                $"""
                select id, subject, coalesce(started_at, created_at) from editions
                where state in ({Published}) and not is_test and subject is not null
                order by id desc limit 200
                """, cancellationToken: ct));
            var entries = rows.Select(r => new ArchiveEntry(r.Id, r.Subject, UtcTimes.Of(r.SentAt), site.ArchiveUrl(r.Id))).ToList();
            return SubscriberEndpoints.Page<ArchivePage>(new { Site = site.Get(), Entries = entries });
        });
        app.MapGet("/archive/{id:long}", async (long id, NpgsqlDataSource db, SiteInfoProvider site, CancellationToken ct) =>
        {
            await using var connection = await db.OpenConnectionAsync(ct);
            var row = await connection.QuerySingleOrDefaultAsync<(string Subject, string Html, string Prefix, string Suffix, DateTime SentAt)?>(new CommandDefinition(
                $"""
                select subject, html, slot_prefix, slot_suffix, coalesce(started_at, created_at) from editions
                where id = @id and state in ({Published}) and not is_test and html is not null
                """, new { id }, cancellationToken: ct));
            if (row is null)
                return SubscriberEndpoints.Page<ErrorPage>(new { Site = site.Get(), Title = "Edition not found", Message = "There is no such edition in the archive." }, StatusCodes.Status404NotFound);
            var r = row.Value;
            // The archive copy belongs to nobody: personal values become neutral ones (escaped like any value), and
            // tracked links go straight to their targets (web readers are not counted).
            var links = await EditionLinks.ListAsync(connection, id, ct);
            var html = LinkRewriter.Untrack(r.Html, links, site.Get().BaseUrl, id, r.Prefix, r.Suffix)
                .Replace(r.Prefix + EditionService.UnsubscribeSlot + r.Suffix, WebUtility.HtmlEncode(site.SignupUrl()), StringComparison.Ordinal)
                .Replace(r.Prefix + EditionService.EmailSlot + r.Suffix, "you", StringComparison.Ordinal);
            return SubscriberEndpoints.Page<EditionWebPage>(new
            {
                Site = site.Get(), Subject = r.Subject, SentAt = UtcTimes.Of(r.SentAt), EditionHtml = html,
            });
        });
        return app;
    }
}
