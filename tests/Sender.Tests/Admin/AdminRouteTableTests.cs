using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Newsletter.Sender.Tests.Infrastructure;
using Newsletter.TestSupport;

namespace Newsletter.Sender.Tests.Admin;

/// <summary>
/// Every /admin and /api route of the real app, found in its route table, refuses a caller without the right
/// credentials, and changes nothing: a new route cannot be left open by accident.
/// </summary>
public sealed class AdminRouteTableTests
{
    [Fact]
    public async Task Every_admin_and_api_route_refuses_callers_without_credentials_or_with_the_wrong_ones_and_changes_nothing()
    {
        using var service = await AdminTestSupport.CreateServiceAsync();
        using var anonymous = service.CreateAnonymousClient();
        using var admin = await AdminTestSupport.SignedInClientAsync(service);
        await AdminTestSupport.SeedAsync(service.DataSource);
        var before = await AdminTestSupport.FingerprintAsync(service.DataSource);
        // The recurring jobs are stored at start-up: wait, so a dashboard "remove" would have one to remove.
        Assert.True(await Eventually.TrueAsync(() => PurgeJobStoredAsync(service), TimeSpan.FromSeconds(20)), "the purge's recurring job was not stored");

        var routes = Routes(service);
        // Hangfire's dashboard is one catch-all endpoint; its pages and its state-changing commands are listed here.
        Assert.Contains(routes, r => r.Pattern == "/admin/jobs/{**path}");
        foreach (var page in new[] { "", "/recurring", "/jobs/failed", "/servers", "/retries", "/jobs/details/1" })
            routes.Add(("GET", "/admin/jobs" + page, "/admin/jobs/{**path}"));
        foreach (var command in new[] { "/stats", "/recurring/trigger", "/recurring/remove", "/jobs/failed/requeue", "/jobs/failed/delete",
                     "/jobs/enqueued/delete", "/jobs/scheduled/enqueue", "/jobs/succeeded/requeue", "/jobs/1/requeue", "/jobs/1/delete" })
            routes.Add(("POST", "/admin/jobs" + command, "/admin/jobs/{**path}"));
        Assert.Contains(routes, r => r.Path == "/admin/subscribers/1/erase" && r.Method == "POST");
        Assert.Contains(routes, r => r.Path == "/api/editions/send-now" && r.Method == "POST");
        Assert.Contains(routes, r => r.Path == "/admin/editions/1/progress.json");
        Assert.True(routes.Count >= 30, $"only {routes.Count} routes found");

        var failures = new List<string>();
        foreach (var (method, path, pattern) in routes)
        {
            var isApi = path.StartsWith("/api", StringComparison.Ordinal);
            var isJson = path.EndsWith(".json", StringComparison.Ordinal);
            var isReference = path == "/api/openapi.json" || path.StartsWith("/api/docs", StringComparison.Ordinal);
            var cases = new List<(string Name, HttpClient Client, Action<HttpRequestMessage> Prepare)>
            {
                ("no credentials", anonymous, _ => { }),
                ("wrong API key", anonymous, r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "wrong-key-0123456789-abcdefghijklmnopqrstuvwxyz")),
                ("basic auth", anonymous, r => r.Headers.Authorization = new AuthenticationHeaderValue("Basic", "ZWRpdG9yOmNvcnJlY3QgaG9yc2UgYmF0dGVyeSBzdGFwbGU=")),
            };
            if (isApi) cases.Add(("admin cookie on the API", admin, _ => { }));
            else cases.Add(("valid API key on the console", anonymous, r => r.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ServiceFactory.ApiKey)));

            foreach (var (name, client, prepare) in cases)
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path);
                if (method is "POST" or "PUT" or "PATCH")
                {
                    request.Content = path.EndsWith("/comparisons", StringComparison.Ordinal) && isApi
                        ? new StringContent("""{"slug":"x"}""", System.Text.Encoding.UTF8, "application/json")
                        : AdminTestSupport.Form(("confirm", "yes"), ("addresses", "t@example.com"), ("id", "1"), ("include", "1"),
                            ("jobs[]", "subscriber-purge"), ("jobs[]", "1"));
                }
                prepare(request);
                using var response = await client.SendAsync(request);
                var status = (int)response.StatusCode;
                var location = response.Headers.Location?.OriginalString ?? "";
                var refused = isApi || isJson
                    ? status == 401
                    : status == 302 && location.StartsWith("/admin/login?returnUrl=", StringComparison.Ordinal);
                // The API reference (document and Scalar's page) is the one /api route an admin session opens: there the
                // session must get its GET answered (200, or Scalar's redirect to /api/docs/) instead.
                var asExpected = isReference && client == admin ? method == "GET" && status is 200 or 302 : refused;
                if (!asExpected) failures.Add($"{method} {path} ({pattern}) with {name}: {status} {location}");
            }
        }

        Assert.True(failures.Count == 0, "routes not refused:\n" + string.Join("\n", failures));
        Assert.Equal(before, await AdminTestSupport.FingerprintAsync(service.DataSource));
        // No job triggered or changed through the dashboard (the hourly purge's own runs say "by recurring job scheduler").
        await using var hangfire = service.DataSource.CreateCommand(
            "select count(*) from hangfire.state where reason ilike 'triggered using%' or reason ilike '%dashboard%'");
        Assert.Equal(0L, (long)(await hangfire.ExecuteScalarAsync())!);
        Assert.True(await PurgeJobStoredAsync(service), "the purge's recurring job was removed");
    }

    private static async Task<bool> PurgeJobStoredAsync(ServiceFactory service)
    {
        await using var stored = service.DataSource.CreateCommand("select count(*) from hangfire.set where key = 'recurring-jobs' and value = 'subscriber-purge'");
        return (long)(await stored.ExecuteScalarAsync())! == 1;
    }

    /// <summary>Each (method, concrete path) of the app's /admin and /api endpoints, except the login form and its post.</summary>
    private static List<(string Method, string Path, string Pattern)> Routes(ServiceFactory service)
    {
        var sources = service.Services.GetServices<EndpointDataSource>();
        var list = new List<(string, string, string)>();
        foreach (var endpoint in sources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>())
        {
            var pattern = "/" + (endpoint.RoutePattern.RawText ?? "").TrimStart('/');
            if (!pattern.StartsWith("/admin", StringComparison.Ordinal) && !pattern.StartsWith("/api", StringComparison.Ordinal)) continue;
            if (pattern == "/admin/login") continue;
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET", "POST"];
            foreach (var path in Fill(endpoint))
                foreach (var m in methods) list.Add((m, path, pattern));
        }
        return list.Distinct().ToList();
    }

    /// <summary>Concrete paths: each parameter filled with a plausible value; a regex of alternatives gives one path per alternative.</summary>
    private static List<string> Fill(RouteEndpoint endpoint)
    {
        var paths = new List<string> { "" };
        foreach (var segment in endpoint.RoutePattern.PathSegments)
        {
            var options = new List<string> { "" };
            foreach (var part in segment.Parts)
            {
                var values = part switch
                {
                    Microsoft.AspNetCore.Routing.Patterns.RoutePatternLiteralPart l => [l.Content],
                    Microsoft.AspNetCore.Routing.Patterns.RoutePatternSeparatorPart s => [s.Content],
                    Microsoft.AspNetCore.Routing.Patterns.RoutePatternParameterPart p => Values(p),
                    _ => new List<string> { "" },
                };
                options = options.SelectMany(o => values.Select(v => o + v)).ToList();
            }
            paths = paths.SelectMany(p => options.Select(o => p + "/" + o)).ToList();
        }
        return paths;
    }

    private static List<string> Values(Microsoft.AspNetCore.Routing.Patterns.RoutePatternParameterPart p)
    {
        var regex = p.ParameterPolicies.Select(x => x.Content ?? "").FirstOrDefault(c => c.StartsWith("regex(", StringComparison.Ordinal));
        if (regex is not null)
        {
            // e.g. regex(^(pause|resume|cancel|retry-failed)$): every alternative
            var inner = regex[6..^1].Trim('^', '$').Trim('(', ')');
            return inner.Split('|').ToList();
        }
        return [Value(p)];
    }

    private static string Value(Microsoft.AspNetCore.Routing.Patterns.RoutePatternParameterPart p)
    {
        if (p.ParameterPolicies.Any(x => x.Content is "long" or "int")) return "1";
        return p.Name switch
        {
            "email" => "a@example.com",
            "id" => "1",
            _ => "x",
        };
    }
}
