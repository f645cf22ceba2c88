using System.Net;
using System.Text.RegularExpressions;
using Dapper;
using Newsletter.Sender.Admin;
using Newsletter.Sender.Tests.Infrastructure;
using Npgsql;

namespace Newsletter.Sender.Tests.Admin;

/// <summary>The service with one admin user, and helpers to sign in, read antiforgery tokens and fingerprint the database.</summary>
internal static partial class AdminTestSupport
{
    public const string User = "editor";
    public const string Password = "correct horse battery staple";
    private static readonly Lazy<string> Hash = new(() => PasswordHasher.Hash(Password));

    public static Task<ServiceFactory> CreateServiceAsync(IDictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Admin:Users:0:Name"] = User,
            ["Admin:Users:0:PasswordHash"] = Hash.Value,
        };
        if (more is not null) foreach (var (k, v) in more) settings[k] = v;
        return ServiceFactory.CreateAsync(settings);
    }

    /// <summary>The antiforgery token of the first form on the page.</summary>
    public static string CsrfToken(string html)
    {
        var m = CsrfRegex().Match(html);
        Assert.True(m.Success, "no antiforgery field in the page:\n" + html[..Math.Min(html.Length, 2000)]);
        return WebUtility.HtmlDecode(m.Groups[1].Value);
    }

    public static async Task<HttpResponseMessage> PostLoginAsync(HttpClient client, string user, string password)
    {
        var page = await client.GetStringAsync("/admin/login");
        return await client.PostAsync("/admin/login", Form(("__csrf", CsrfToken(page)), ("username", user), ("password", password)));
    }

    /// <summary>A client signed in as the admin user (cookies kept, redirects not followed).</summary>
    public static async Task<HttpClient> SignedInClientAsync(ServiceFactory service)
    {
        var client = service.CreateAnonymousClient();
        using var response = await PostLoginAsync(client, User, Password);
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        return client;
    }

    public static FormUrlEncodedContent Form(params (string Key, string Value)[] fields)
        => new(fields.Select(f => new KeyValuePair<string, string>(f.Key, f.Value)));

    private static readonly string[] Tables =
        ["subscribers", "consents", "subscriber_events", "suppressions", "comparisons", "editions", "edition_comparisons", "deliveries", "outbox"];

    /// <summary>Row count and a digest of every row of every table the console could change.</summary>
    public static async Task<string> FingerprintAsync(NpgsqlDataSource db)
    {
        await using var c = await db.OpenConnectionAsync();
        var parts = new List<string>();
        foreach (var t in Tables)
        {
            // Table names are constants above, never input.
            var row = await c.QuerySingleAsync<(long N, string Digest)>($"select count(*), coalesce(md5(string_agg(t::text, '|' order by t::text)), '') from {t} t");
            parts.Add($"{t}:{row.N}:{row.Digest}");
        }
        return string.Join("\n", parts);
    }

    /// <summary>A confirmed subscriber (id 1), a comparison and a sent edition (id 1) with one failed delivery: enough for every route to have something to change.</summary>
    public static async Task SeedAsync(NpgsqlDataSource db)
    {
        await using var c = await db.OpenConnectionAsync();
        await c.ExecuteAsync(
            """
            insert into subscribers (email, email_key, status, confirmed_at) values ('a@example.com', 'a@example.com', 'confirmed', now() - interval '3 days');
            insert into consents (subscriber_id, ip, source, consent_version) values (1, '192.0.2.1', 'test', 'v1');
            insert into subscriber_events (subscriber_id, from_status, to_status, cause) values (1, 'pending', 'confirmed', 'click');
            insert into comparisons (slug, title, published_at, document, content_hash)
                values ('x', 'X vs Y', now() - interval '1 hour', '{}'::jsonb, '\x00'::bytea);
            insert into editions (state, cutoff, subject, started_at, finished_at, recipients) values ('sent', now(), 'Seeded', now(), now(), 1);
            insert into deliveries (edition_id, subscriber_id, state, attempts, last_reply) values (1, 1, 'failed', 1, '550 5.1.1 no such user');
            """);
    }

    [GeneratedRegex("name=\"__csrf\" value=\"([^\"]+)\"")]
    private static partial Regex CsrfRegex();
}
