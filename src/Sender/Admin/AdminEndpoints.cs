using System.Globalization;
using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Newsletter.Comparisons;
using Newsletter.Sender.Comparisons;
using Newsletter.Sender.Configuration;
using Newsletter.Sender.Delivery;
using Newsletter.Sender.Editions;
using Newsletter.Sender.Security;
using Newsletter.Sender.Web;
using Newsletter.Templates.Admin;
using Quartz;

namespace Newsletter.Sender.Admin;

/// <summary>
/// The admin console: server-rendered pages under <c>/admin</c>, signed in with a cookie (admin users from
/// configuration), every form protected by an antiforgery token. Registration: <c>builder.AddAdmin()</c>,
/// <c>app.UseAdminSecurityHeaders()</c> (early, so redirects and errors carry the headers too), <c>app.MapAdmin()</c>.
/// </summary>
public static class AdminEndpoints
{
    public static WebApplicationBuilder AddAdmin(this WebApplicationBuilder builder)
    {
        // Serves the Templates library's wwwroot (/_content/Newsletter.Templates/...) from a build output too, not only
        // in Development; a published app has the files in its own wwwroot and the manifest is absent (no-op).
        builder.WebHost.UseStaticWebAssets();
        builder.Services.AddAuthentication().AddCookie(AdminSecurity.Scheme, AdminSecurity.ConfigureCookie);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(AdminSecurity.Policy, p => p.AddAuthenticationSchemes(AdminSecurity.Scheme).RequireAuthenticatedUser());
        builder.Services.AddAntiforgery(o =>
        {
            o.Cookie.Name = AdminSecurity.CsrfCookieName;
            o.Cookie.Path = "/admin";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.FormFieldName = AdminSecurity.CsrfField;
            o.SuppressXFrameOptionsHeader = true; // set by UseAdminSecurityHeaders
        });
        builder.Services.AddSingleton<LoginThrottle>();
        builder.Services.AddSingleton<AdminQueries>();
        builder.Services.AddSingleton<PreviewService>();
        builder.Services.AddSingleton<SpamCheck>();
        return builder;
    }

    public static WebApplication MapAdmin(this WebApplication app)
    {
        var admin = app.MapGroup("/admin").RequireAuthorization(AdminSecurity.Policy).AddEndpointFilter(AdminSecurity.ValidateAntiforgery);

        admin.MapGet("/login", LoginForm).AllowAnonymous();
        admin.MapPost("/login", LoginAsync).AllowAnonymous();
        admin.MapPost("/logout", async (HttpContext http) =>
        {
            await http.SignOutAsync(AdminSecurity.Scheme);
            return AdminResults.SeeOther("/admin/login");
        });

        admin.MapGet("", DashboardAsync);
        admin.MapGet("/editions/{id:long}/progress.json", ProgressAsync);

        admin.MapGet("/preview", PreviewAsync);
        admin.MapGet("/preview/frame", FrameAsync);
        admin.MapGet("/preview/spam", SpamAsync);
        admin.MapPost("/preview/order", SaveOrderAsync);
        admin.MapPost("/preview/test", SendTestAsync);
        admin.MapGet("/preview/send", ConfirmSendAsync);
        admin.MapPost("/preview/send", SendNowAsync);

        admin.MapGet("/editions", EditionsAsync);
        admin.MapGet("/editions/{id:long}", EditionAsync);
        admin.MapPost("/editions/{id:long}/{action:regex(^(pause|resume|cancel|retry-failed)$)}", EditionActionAsync);

        admin.MapGet("/subscribers", SubscribersAsync);
        admin.MapGet("/subscribers/export.csv", ExportAsync);
        admin.MapGet("/subscribers/{id:long}", SubscriberAsync);
        admin.MapGet("/subscribers/{id:long}/erase", ConfirmEraseAsync);
        admin.MapPost("/subscribers/{id:long}/erase", EraseAsync);

        admin.MapGet("/comparisons", ComparisonsAsync);
        admin.MapPost("/comparisons/import", ImportAsync);

        admin.MapGet("/jobs", JobsAsync);
        return app;
    }

    // ---- access ------------------------------------------------------------------------------------------------

    private static IResult LoginForm(HttpContext http, string? returnUrl)
        => http.User.Identity?.IsAuthenticated == true && http.User.Identity.AuthenticationType == AdminSecurity.Scheme
            ? AdminResults.SeeOther(SafeReturn(returnUrl))
            : AdminResults.Page<LoginPage>(http, "login", new Dictionary<string, object?> { ["ReturnUrl"] = SafeReturn(returnUrl) });

    private static async Task<IResult> LoginAsync(HttpContext http, LoginThrottle throttle, IOptionsMonitor<AdminOptions> options, ILoggerFactory logs)
    {
        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        var user = form["username"].ToString().Trim();
        var password = form["password"].ToString();
        var returnUrl = SafeReturn(form["returnUrl"]);
        var ip = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (throttle.Attempt(ip, user) is { } wait)
        {
            http.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            return AdminResults.Page<LoginPage>(http, "login", new Dictionary<string, object?>
            {
                ["Error"] = "Too many sign-in attempts. Wait a minute and try again.", ["UserName"] = user, ["ReturnUrl"] = returnUrl,
            }, StatusCodes.Status429TooManyRequests);
        }

        var match = options.CurrentValue.Users.FirstOrDefault(u => string.Equals(u.Name, user, StringComparison.Ordinal) && user.Length > 0);
        // Without a match a dummy hash is still checked: the answer takes as long for an unknown name.
        var ok = PasswordHasher.Verify(password, match?.PasswordHash ?? DummyHash.Value) && match is not null && password.Length > 0;
        if (!ok)
        {
            logs.CreateLogger("Newsletter.Admin").LogWarning("admin sign-in refused for {User} from {Ip}", user.Length > 64 ? user[..64] : user, ip);
            return AdminResults.Page<LoginPage>(http, "login", new Dictionary<string, object?>
            {
                ["Error"] = "That user name and password do not match.", ["UserName"] = user, ["ReturnUrl"] = returnUrl,
            }, StatusCodes.Status401Unauthorized);
        }
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, match!.Name)], AdminSecurity.Scheme);
        await http.SignInAsync(AdminSecurity.Scheme, new ClaimsPrincipal(identity), new AuthenticationProperties { IsPersistent = false });
        return AdminResults.SeeOther(returnUrl);
    }

    private static readonly Lazy<string> DummyHash = new(() => PasswordHasher.Hash(Guid.NewGuid().ToString()));

    /// <summary>Only a local admin path: never another site, never "//host" or "/\host".</summary>
    internal static string SafeReturn(string? returnUrl)
        => !string.IsNullOrEmpty(returnUrl) && returnUrl.StartsWith("/admin", StringComparison.Ordinal) && !returnUrl.Contains('\\')
           && !returnUrl.StartsWith("/admin/login", StringComparison.Ordinal) && !returnUrl.Contains("//", StringComparison.Ordinal)
            ? returnUrl : "/admin";

    // ---- dashboard -----------------------------------------------------------------------------------------------

    private static async Task<IResult> DashboardAsync(HttpContext http, AdminQueries queries, EditionService editions, ScheduleDescription schedule,
        IOptions<ScheduleOptions> scheduleOptions, CancellationToken ct)
    {
        var o = scheduleOptions.Value;
        var next = schedule.Next();
        string? local = null;
        if (next is not null)
        {
            var zone = TimeZoneInfo.FindSystemTimeZoneById(o.TimeZone);
            local = TimeZoneInfo.ConvertTime(next.Value, zone).ToString("dddd d MMMM yyyy, HH:mm", CultureInfo.InvariantCulture) + " " + o.TimeZone;
        }
        var model = new DashboardModel(
            await queries.SubscriberStatusCountsAsync(ct), await queries.GrowthAsync(12, ct), next, local, schedule.Describe(), o.Enabled,
            (await editions.ListAsync(8, ct)).Select(AdminQueries.Progress).ToList(), await queries.UnsentComparisonCountAsync(ct));
        return AdminResults.Page<DashboardPage>(http, "dashboard", new Dictionary<string, object?> { ["Model"] = model });
    }

    private static async Task<IResult> ProgressAsync(long id, EditionService editions, CancellationToken ct)
    {
        var e = await editions.GetAsync(id, ct);
        if (e is null) return TypedResults.Problem(title: "Edition not found", detail: $"There is no edition {id}.", statusCode: StatusCodes.Status404NotFound);
        var p = AdminQueries.Progress(e);
        return TypedResults.Json(new
        {
            p.Id, p.State, p.Recipients, p.Sent, p.Deferred, p.Failed, p.Pending, p.Skipped, p.Total, p.Percent,
            Done = p.State is "sent" or "cancelled" or "skipped",
            PollSeconds = AdminQueries.ProgressPollSeconds(p.Recipients),
        });
    }

    // ---- preview ----------------------------------------------------------------------------------------------------

    private static async Task<IResult> PreviewAsync(HttpContext http, PreviewService preview, SiteInfoProvider site, string? tested, string? saved, CancellationToken ct)
    {
        var p = await preview.BuildAsync(ct);
        string? notice = null;
        if (int.TryParse(tested, NumberStyles.None, CultureInfo.InvariantCulture, out var n)) notice = n == 1 ? "A test copy was sent." : $"{n} test copies were sent.";
        else if (saved == "1") notice = "Order and exclusions saved.";
        return PreviewPage(http, preview, site, p, notice, null, "", StatusCodes.Status200OK);
    }

    private static IResult PreviewPage(HttpContext http, PreviewService preview, SiteInfoProvider site, EditionPreview p, string? notice, string? error,
        string addresses, int status)
    {
        var model = new PreviewModel(p.Items, p.Rendered.Subject, p.Rendered.Preheader, p.NeutralText(site), preview.Headers(p), p.DraftId is not null,
            notice, error, addresses, PreviewService.MaxTestAddresses);
        return AdminResults.Page<PreviewPage>(http, "preview", new Dictionary<string, object?> { ["Model"] = model }, status);
    }

    private static async Task<IResult> FrameAsync(HttpContext http, PreviewService preview, SiteInfoProvider site, string? scheme, int? width, CancellationToken ct)
    {
        var p = await preview.BuildAsync(ct);
        var html = p.NeutralHtml(site);
        // The email's own dark palette is behind prefers-color-scheme: pin it to the scheme asked for.
        html = scheme == "dark"
            ? html.Replace("@media (prefers-color-scheme: dark)", "@media all", StringComparison.Ordinal).Replace(":root{color-scheme:light dark;", ":root{color-scheme:dark;", StringComparison.Ordinal)
            : html.Replace("@media (prefers-color-scheme: dark)", "@media not all", StringComparison.Ordinal).Replace(":root{color-scheme:light dark;", ":root{color-scheme:light;", StringComparison.Ordinal);
        _ = width; // the iframe's own width sets the viewport; accepted so the URL documents it
        http.Response.Headers.ContentSecurityPolicy = AdminSecurity.FrameCsp;
        http.Response.Headers.XFrameOptions = "SAMEORIGIN";
        return TypedResults.Content(html, "text/html; charset=utf-8");
    }

    private static async Task<IResult> SpamAsync(HttpContext http, PreviewService preview, SpamCheck spam, CancellationToken ct)
    {
        var p = await preview.BuildAsync(ct);
        var model = await spam.RunAsync(preview.ComposeSample(p), p.Rendered.Subject, ct);
        return AdminResults.Page<SpamPage>(http, "preview", new Dictionary<string, object?> { ["Model"] = model });
    }

    private static async Task<IResult> SaveOrderAsync(HttpContext http, PreviewService preview, CancellationToken ct)
    {
        var form = await http.Request.ReadFormAsync(ct);
        var ids = form["id"].Select(v => long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : -1).Where(id => id > 0).ToList();
        var included = form["include"].Select(v => long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : -1).ToHashSet();
        var positions = ids.Select((id, i) => (id, pos: int.TryParse(form[$"position-{id}"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var p) ? p : i + 1, i));
        // "Move up/down" buttons post move=ID:up|down; otherwise the position fields decide.
        var order = positions.OrderBy(x => x.pos).ThenBy(x => x.i).Select(x => x.id).ToList();
        var move = form["move"].ToString().Split(':');
        if (move.Length == 2 && long.TryParse(move[0], NumberStyles.None, CultureInfo.InvariantCulture, out var moving) && ids.IndexOf(moving) is var at and >= 0)
        {
            order = [.. ids];
            var to = move[1] == "up" ? at - 1 : at + 1;
            if (to >= 0 && to < order.Count) (order[at], order[to]) = (order[to], order[at]);
        }
        try
        {
            await preview.SaveOrderAsync(order, ids.Where(id => !included.Contains(id)).ToList(), ct);
        }
        catch (EditionComparisonsException e)
        {
            return AdminResults.Message(http, StatusCodes.Status409Conflict, "The order could not be saved", e.Message, "/admin/preview", "Back to the preview");
        }
        return AdminResults.SeeOther("/admin/preview?saved=1");
    }

    private static async Task<IResult> SendTestAsync(HttpContext http, PreviewService preview, SiteInfoProvider site, ILoggerFactory logs, CancellationToken ct)
    {
        var form = await http.Request.ReadFormAsync(ct);
        var input = form["addresses"].ToString();
        var (addresses, error) = PreviewService.ParseAddresses(input);
        var p = await preview.BuildAsync(ct);
        if (error is not null) return PreviewPage(http, preview, site, p, null, error, input, StatusCodes.Status400BadRequest);
        if (p.Included.Count == 0)
            return PreviewPage(http, preview, site, p, null, "There is nothing to send: no comparison is selected.", input, StatusCodes.Status409Conflict);
        try
        {
            await preview.SendTestAsync(p, addresses, ct);
        }
        catch (Exception e) when (e is Mail.MailException or IOException)
        {
            logs.CreateLogger("Newsletter.Admin").LogWarning(e, "test send failed");
            return PreviewPage(http, preview, site, p, null, "The mail server refused the test: " + e.Message, input, StatusCodes.Status502BadGateway);
        }
        return AdminResults.SeeOther("/admin/preview?tested=" + addresses.Count.ToString(CultureInfo.InvariantCulture));
    }

    private static async Task<IResult> ConfirmSendAsync(HttpContext http, PreviewService preview, AdminQueries queries, CancellationToken ct)
    {
        var p = await preview.BuildAsync(ct);
        var model = await SendModelAsync(queries, p, ct);
        return AdminResults.Page<SendConfirmPage>(http, "preview", new Dictionary<string, object?> { ["Model"] = model });
    }

    private static async Task<SendConfirmModel> SendModelAsync(AdminQueries queries, EditionPreview p, CancellationToken ct)
    {
        var confirmed = (await queries.SubscriberStatusCountsAsync(ct)).First(s => s.Status == "confirmed").Count;
        // Send-now sends the admin's order without the excluded ones (EditionService.StartDraftAsync).
        var items = p.Items.Where(i => !i.Excluded).ToList();
        var subject = Templates.EmailRenderer.EditionSubject(p.Included.Select(s => s.Comparison).ToList());
        return new SendConfirmModel(items, subject, confirmed);
    }

    private static async Task<IResult> SendNowAsync(HttpContext http, PreviewService preview, EditionService editions, DeliverySignal signal, CancellationToken ct)
    {
        var form = await http.Request.ReadFormAsync(ct);
        if (form["confirm"] != "yes")
            return AdminResults.Message(http, StatusCodes.Status400BadRequest, "Not sent", "Tick the confirmation box to send the edition.", "/admin/preview/send", "Back");
        var p = await preview.BuildAsync(ct);
        // The admin's stored order and exclusions go out when there is a draft; otherwise the default selection.
        var edition = p.DraftId is { } draft
            ? await editions.StartDraftAsync(draft, ct)
            : await editions.CreateAndStartAsync(slot: null, ct);
        signal.Poke();
        return AdminResults.SeeOther($"/admin/editions/{edition.Id}");
    }

    // ---- editions --------------------------------------------------------------------------------------------------

    private static async Task<IResult> EditionsAsync(HttpContext http, EditionService editions, CancellationToken ct)
    {
        var list = (await editions.ListAsync(200, ct)).Select(AdminQueries.Progress).ToList();
        return AdminResults.Page<EditionsPage>(http, "editions", new Dictionary<string, object?> { ["Model"] = new EditionsModel(list) });
    }

    private static async Task<IResult> EditionAsync(HttpContext http, long id, string? state, string? reply, int? page, string? done,
        EditionService editions, AdminQueries queries, CancellationToken ct)
    {
        var e = await editions.GetAsync(id, ct);
        if (e is null) return AdminResults.NotFound(http, $"edition {id}");
        state = AdminQueries.DeliveryStates.Contains(state) ? state : null;
        reply = string.IsNullOrWhiteSpace(reply) ? null : reply.Trim()[..Math.Min(reply.Trim().Length, 200)];
        var p = Math.Clamp(page ?? 1, 1, 100_000);
        var (rows, total) = await queries.DeliveriesAsync(id, state, reply, p, ct);
        var notice = done switch
        {
            "pause" => "Paused: no new deliveries are started; those in flight finish.",
            "resume" => "Resumed.",
            "cancel" => "Cancelled: deliveries not yet handed to the relay are skipped.",
            "retry-failed" => "Failed deliveries were put back in the queue.",
            _ => null,
        };
        var model = new EditionDetailModel(AdminQueries.Progress(e), rows, state, reply, p, total, AdminQueries.PageSize, notice);
        return AdminResults.Page<EditionPage>(http, "editions", new Dictionary<string, object?> { ["Model"] = model });
    }

    private static async Task<IResult> EditionActionAsync(HttpContext http, long id, string action, EditionService editions, DeliverySignal signal, CancellationToken ct)
    {
        var e = await editions.GetAsync(id, ct);
        if (e is null) return AdminResults.NotFound(http, $"edition {id}");
        var who = http.UserName();
        var done = action switch
        {
            "pause" => await editions.PauseAsync(id, $"paused by {who}", ct),
            "resume" => await editions.ResumeAsync(id, ct),
            "cancel" => await editions.CancelAsync(id, $"cancelled by {who}", ct),
            _ => await editions.RetryFailedAsync(id, ct) > 0,
        };
        signal.Poke();
        if (!done)
        {
            return AdminResults.Message(http, StatusCodes.Status409Conflict, "Not possible now",
                $"Edition {id} could not be changed ({action}) in its state ({e.State}).", $"/admin/editions/{id}", "Back to the edition");
        }
        return AdminResults.SeeOther($"/admin/editions/{id}?done={action}");
    }

    // ---- subscribers --------------------------------------------------------------------------------------------

    private static async Task<IResult> SubscribersAsync(HttpContext http, string? q, string? status, int? page, string? erased, AdminQueries queries, CancellationToken ct)
    {
        var (query, filter) = SubscriberFilter(q, status);
        var p = Math.Clamp(page ?? 1, 1, 100_000);
        var (rows, total) = await queries.SearchSubscribersAsync(query, filter, p, AdminQueries.PageSize, ct);
        var model = new SubscribersModel(rows, query, filter, p, total, AdminQueries.PageSize, await queries.SubscriberStatusCountsAsync(ct),
            erased == "1" ? "The subscriber was erased." : null);
        return AdminResults.Page<SubscribersPage>(http, "subscribers", new Dictionary<string, object?> { ["Model"] = model });
    }

    private static (string? Query, string? Status) SubscriberFilter(string? q, string? status)
        => (string.IsNullOrWhiteSpace(q) ? null : q.Trim()[..Math.Min(q.Trim().Length, 254)], AdminQueries.SubscriberStatuses.Contains(status) ? status : null);

    private static async Task ExportAsync(HttpContext http, string? q, string? status, AdminQueries queries, CancellationToken ct)
    {
        var (query, filter) = SubscriberFilter(q, status);
        http.Response.ContentType = "text/csv; charset=utf-8";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"subscribers-{filter ?? "all"}.csv\"";
        var line = new StringBuilder("id,email,status,created_at,confirmed_at\r\n");
        await http.Response.WriteAsync(line.ToString(), ct);
        await foreach (var s in queries.ExportSubscribersAsync(query, filter, ct))
        {
            line.Clear().Append(s.Id.ToString(CultureInfo.InvariantCulture)).Append(',').Append(Csv(s.Email)).Append(',').Append(s.Status).Append(',')
                .Append(AdminFormat.Iso(s.CreatedAt)).Append(',').Append(AdminFormat.Iso(s.ConfirmedAt)).Append("\r\n");
            await http.Response.WriteAsync(line.ToString(), ct);
        }
    }

    /// <summary>RFC 4180 quoting; a leading = + - @ is neutralised so a spreadsheet never runs it as a formula.</summary>
    internal static string Csv(string value)
    {
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r') value = "'" + value;
        return value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }

    private static async Task<IResult> SubscriberAsync(HttpContext http, long id, AdminQueries queries, CancellationToken ct)
        => await queries.SubscriberDetailAsync(id, ct) is { } model
            ? AdminResults.Page<SubscriberPage>(http, "subscribers", new Dictionary<string, object?> { ["Model"] = model })
            : AdminResults.NotFound(http, $"subscriber {id}");

    private static async Task<IResult> ConfirmEraseAsync(HttpContext http, long id, AdminQueries queries, CancellationToken ct)
        => await queries.SubscriberDetailAsync(id, ct) is { } model
            ? AdminResults.Page<EraseConfirmPage>(http, "subscribers", new Dictionary<string, object?> { ["Model"] = model })
            : AdminResults.NotFound(http, $"subscriber {id}");

    private static async Task<IResult> EraseAsync(HttpContext http, long id, Newsletter.Subscribers.SubscriberAdmin subscribers, CancellationToken ct)
    {
        var form = await http.Request.ReadFormAsync(ct);
        if (form["confirm"] != "yes")
            return AdminResults.Message(http, StatusCodes.Status400BadRequest, "Not erased", "Tick the confirmation box to erase the subscriber.", $"/admin/subscribers/{id}/erase", "Back");
        if (await subscribers.EraseAsync(id, ct) != Newsletter.Subscribers.EraseOutcome.Erased) return AdminResults.NotFound(http, $"subscriber {id} to erase");
        return AdminResults.SeeOther("/admin/subscribers?erased=1");
    }

    // ---- comparisons ---------------------------------------------------------------------------------------------

    private static async Task<IResult> ComparisonsAsync(HttpContext http, string? status, ComparisonStore store, CancellationToken ct)
        => AdminResults.Page<ComparisonsPage>(http, "comparisons", new Dictionary<string, object?> { ["Model"] = await ComparisonsModelAsync(store, status, null, ct) });

    private static async Task<ComparisonsModel> ComparisonsModelAsync(ComparisonStore store, string? status, IReadOnlyList<ImportLine>? results, CancellationToken ct)
    {
        var filter = Enum.TryParse<ComparisonStatusFilter>(status, ignoreCase: true, out var f) && Enum.IsDefined(f) ? f : ComparisonStatusFilter.All;
        var rows = (await store.ListAsync(filter, 200, 0, ct))
            .Select(c => new ComparisonRow(c.Id, c.Slug, c.Title, c.Url, c.PublishedAt, c.Category, c.SentInEditionId, c.SentAt)).ToList();
        return new ComparisonsModel(rows, filter.ToString().ToLowerInvariant(), results);
    }

    private const long MaxUploadBytes = 5 * 1024 * 1024;

    private static async Task<IResult> ImportAsync(HttpContext http, ComparisonIngestor ingestor, ComparisonStore store, CancellationToken ct)
    {
        if (http.Request.ContentLength > MaxUploadBytes)
            return AdminResults.Message(http, StatusCodes.Status413PayloadTooLarge, "Too large", "Upload at most 5 MB at a time.", "/admin/comparisons", "Back to comparisons");
        if (!http.Request.HasFormContentType)
            return AdminResults.Message(http, StatusCodes.Status415UnsupportedMediaType, "Not a form", "Upload the files with the form.", "/admin/comparisons", "Back to comparisons");
        var form = await http.Request.ReadFormAsync(ct);
        var results = new List<ImportLine>();
        foreach (var file in form.Files)
        {
            if (file.Length == 0 && string.IsNullOrEmpty(file.FileName)) continue;
            results.Add(await ImportOneAsync(ingestor, file, ct));
        }
        if (results.Count == 0) results.Add(new ImportLine("(none)", false, "rejected", ["Choose at least one .json or .txt file."]));
        var status = results.All(r => r.Ok) ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest;
        return AdminResults.Page<ComparisonsPage>(http, "comparisons", new Dictionary<string, object?> { ["Model"] = await ComparisonsModelAsync(store, "all", results, ct) }, status);
    }

    private static async Task<ImportLine> ImportOneAsync(ComparisonIngestor ingestor, IFormFile file, CancellationToken ct)
    {
        var name = Path.GetFileName(file.FileName);
        if (file.Length > ComparisonEndpoints.MaxBodyBytes) return new ImportLine(name, false, "rejected", [$"A comparison may be at most {ComparisonEndpoints.MaxBodyBytes} bytes."]);
        using var buffer = new MemoryStream();
        await file.CopyToAsync(buffer, ct);
        var body = buffer.ToArray().AsMemory();
        if (body.Span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) body = body[3..];
        try
        {
            var json = name.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || file.ContentType.Contains("json", StringComparison.OrdinalIgnoreCase)
                       || (!name.EndsWith(".txt", StringComparison.OrdinalIgnoreCase) && body.Span.TrimStart(" \t\r\n"u8).StartsWith("{"u8));
            IngestResult result;
            if (json)
            {
                result = await ingestor.IngestJsonAsync(body, ct);
            }
            else
            {
                string text;
                try
                {
                    text = new UTF8Encoding(false, true).GetString(body.Span);
                }
                catch (DecoderFallbackException)
                {
                    return new ImportLine(name, false, "rejected", ["body: The body is not valid UTF-8 text."]);
                }
                result = await ingestor.IngestPageAsync(text, PageDefaults.None, ct);
            }
            return new ImportLine(name, true, $"{result.Outcome.ToString().ToLowerInvariant()} ({result.Slug})", []);
        }
        catch (ComparisonFormatException e)
        {
            var field = e.Path ?? (e.Line is { } line ? $"line {line}" : "body");
            return new ImportLine(name, false, "rejected", [$"{field}: {e.Message}"]);
        }
        catch (ComparisonValidationException e)
        {
            return new ImportLine(name, false, "rejected", e.Errors.Select(x => $"{x.Field}: {x.Message}").ToList());
        }
    }

    // ---- jobs ----------------------------------------------------------------------------------------------------

    private static async Task<IResult> JobsAsync(HttpContext http, IOptions<ScheduleOptions> options, IOptions<ServiceOptions> service, ScheduleDescription schedule,
        AdminQueries queries, TimeProvider time, CancellationToken ct)
    {
        var o = options.Value;
        var enabled = o.Enabled && service.Value.Role != ServiceRole.Web;
        DateTimeOffset? previous = null, next = null;
        string? state = null, error = null;
        var factory = http.RequestServices.GetService<ISchedulerFactory>();
        if (enabled && factory is not null)
        {
            try
            {
                var scheduler = await factory.GetScheduler(ct);
                var trigger = await scheduler.GetTrigger(Scheduling.WeeklyEditionJob.TriggerKey, ct);
                if (trigger is null) error = "The weekly trigger is not stored yet (the scheduler is starting).";
                else
                {
                    previous = trigger.PreviousFireTimeUtc;
                    next = trigger.NextFireTimeUtc;
                    state = (await scheduler.GetTriggerState(trigger.Key, ct)).ToString();
                }
            }
            catch (SchedulerException e)
            {
                error = "The scheduler did not answer: " + e.Message;
            }
        }
        IReadOnlyList<InstanceRow> instances = [];
        try
        {
            instances = await queries.SchedulerInstancesAsync(time.GetUtcNow(), ct);
        }
        catch (Npgsql.PostgresException e)
        {
            error ??= "The cluster table could not be read: " + e.MessageText;
        }
        var model = new JobsModel(enabled, o.Cron, o.TimeZone, schedule.Describe(), previous, next, state, instances, error);
        return AdminResults.Page<JobsPage>(http, "jobs", new Dictionary<string, object?> { ["Model"] = model });
    }
}
