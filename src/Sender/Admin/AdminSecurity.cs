using System.Collections.Concurrent;
using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

namespace Newsletter.Sender.Admin;

/// <summary>
/// The admin console's own access: a cookie scheme (separate from the API-key scheme: neither opens the other's
/// routes), antiforgery on every unsafe request, login throttling, and the security headers of every /admin answer.
/// </summary>
public static class AdminSecurity
{
    public const string Scheme = "AdminCookie";

    /// <summary>
    /// The same session for the API reference (<c>/api/docs</c>, <c>/api/openapi.json</c>): a second cookie on path
    /// <c>/api</c>, issued and ended with the console's; only the reference accepts it (the API itself takes keys only).
    /// </summary>
    public const string ReferenceScheme = "AdminReferenceCookie";
    public const string ReferenceCookieName = "nl_admin_reference";
    public const string Policy = "admin";
    public const string CookieName = "nl_admin";
    public const string CsrfCookieName = "nl_admin_csrf";
    public const string CsrfField = "__csrf";
    public static readonly TimeSpan SessionLifetime = TimeSpan.FromHours(8);
    public const long MaxFormBytes = 6 * 1024 * 1024;

    /// <summary>The console's pages: scripts and styles from this origin only, framed by nobody.</summary>
    public const string PageCsp =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-src 'self'; "
        + "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'";

    /// <summary>
    /// Hangfire's dashboard (/admin/jobs) only: as <see cref="PageCsp"/> but with inline styles, which its pages use
    /// for state colours and its charts inject at run time. Scripts stay same-origin only.
    /// </summary>
    public const string JobsCsp =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-src 'none'; "
        + "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'";

    /// <summary>The previewed email inside the iframe: sandboxed (no scripts, opaque origin), its inline styles allowed.</summary>
    public const string FrameCsp =
        "sandbox allow-popups allow-popups-to-escape-sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src https: http: data:; "
        + "frame-ancestors 'self'; base-uri 'none'; form-action 'none'";

    internal static void ConfigureCookie(CookieAuthenticationOptions o)
    {
        o.Cookie.Name = CookieName;
        o.Cookie.HttpOnly = true;
        o.Cookie.SameSite = SameSiteMode.Strict;
        o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        o.Cookie.Path = "/admin";
        o.ExpireTimeSpan = SessionLifetime;
        o.SlidingExpiration = true;
        o.LoginPath = "/admin/login";
        o.LogoutPath = "/admin/logout";
        o.AccessDeniedPath = "/admin/login";
        o.ReturnUrlParameter = "returnUrl";
        o.Events.OnRedirectToLogin = context =>
        {
            // The console's JSON answers 401 (a script polls it); pages send the browser to the login form.
            if (IsJson(context.Request))
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                context.Response.ContentType = "application/problem+json";
                return context.Response.WriteAsync("""{"title":"Unauthorized","status":401,"detail":"sign in to the admin console"}""");
            }
            // A relative Location: never an absolute URL built from the Host header.
            var returnUrl = context.Request.Path + context.Request.QueryString;
            context.Response.Redirect("/admin/login?returnUrl=" + Uri.EscapeDataString(returnUrl));
            return Task.CompletedTask;
        };
        o.Events.OnRedirectToAccessDenied = o.Events.OnRedirectToLogin;
        o.Events.OnValidatePrincipal = AdminSessions.ValidateAsync;
    }

    internal static void ConfigureReferenceCookie(CookieAuthenticationOptions o)
    {
        o.Cookie.Name = ReferenceCookieName;
        o.Cookie.HttpOnly = true;
        o.Cookie.SameSite = SameSiteMode.Strict;
        o.Cookie.Path = "/api";
        o.ExpireTimeSpan = SessionLifetime;
        o.SlidingExpiration = true;
        o.Events.OnValidatePrincipal = AdminSessions.ValidateAsync;
    }

    /// <summary>
    /// Where HTTPS is required (<c>Admin__RequireHttps</c>) nothing under /admin answers over plain HTTP (as seen
    /// through the trusted proxies): no login form, no cookie that would travel in clear.
    /// </summary>
    internal static async ValueTask<object?> RequireHttps(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (!http.Request.IsHttps && http.RequestServices.GetRequiredService<IOptions<AdminOptions>>().Value
                .HttpsRequired(http.RequestServices.GetRequiredService<IHostEnvironment>()))
        {
            http.Response.ContentType = "text/plain; charset=utf-8";
            http.Response.StatusCode = StatusCodes.Status403Forbidden;
            await http.Response.WriteAsync(
                "The admin console only answers over HTTPS: open it with https://. Behind a reverse proxy that terminates TLS, "
                + "list the proxy in Service__TrustedProxies so its X-Forwarded-Proto is believed (Admin__RequireHttps=false turns this off).\n",
                http.RequestAborted);
            return TypedResults.Empty;
        }
        return await next(context);
    }

    internal static bool IsJson(HttpRequest request) => request.Path.Value?.EndsWith(".json", StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>
    /// Security headers on every /admin answer (pages, redirects, errors). An endpoint that set its own
    /// Content-Security-Policy (the preview frame) keeps it.
    /// </summary>
    public static IApplicationBuilder UseAdminSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        if (context.Request.Path.StartsWithSegments("/admin", StringComparison.OrdinalIgnoreCase))
        {
            context.Response.OnStarting(() =>
            {
                var h = context.Response.Headers;
                if (!h.ContainsKey("Content-Security-Policy"))
                {
                    h.ContentSecurityPolicy = context.Request.Path.StartsWithSegments(AdminJobsDashboard.Path, StringComparison.OrdinalIgnoreCase) ? JobsCsp : PageCsp;
                    h.XFrameOptions = "DENY";
                }
                h.XContentTypeOptions = "nosniff";
                h["Referrer-Policy"] = "no-referrer";
                h["Cross-Origin-Opener-Policy"] = "same-origin";
                h["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
                if (!h.ContainsKey("Cache-Control")) h.CacheControl = "no-store";
                return Task.CompletedTask;
            });
        }
        return next(context);
    });

    /// <summary>Refuses any unsafe request (POST...) under the group without a valid antiforgery token.</summary>
    internal static async ValueTask<object?> ValidateAntiforgery(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (!HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method))
        {
            // Validating reads the form: cap the body first (the largest form is an upload of a few comparison files).
            if (http.Request.ContentLength > MaxFormBytes)
            {
                return AdminResults.Message(http, StatusCodes.Status413PayloadTooLarge, "Too large",
                    $"A form may carry at most {MaxFormBytes / (1024 * 1024)} MB. Nothing was changed.");
            }
            if (http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
                limit.MaxRequestBodySize = MaxFormBytes;
            var antiforgery = http.RequestServices.GetRequiredService<IAntiforgery>();
            try
            {
                await antiforgery.ValidateRequestAsync(http);
            }
            catch (AntiforgeryValidationException)
            {
                return AdminResults.Message(http, StatusCodes.Status400BadRequest, "The form expired",
                    "This form was missing its security token or it expired. Go back, reload the page and try again. Nothing was changed.");
            }
            catch (Exception e) when (e is InvalidDataException or BadHttpRequestException or IOException)
            {
                return AdminResults.Message(http, StatusCodes.Status400BadRequest, "The form could not be read", "Nothing was changed.");
            }
        }
        return await next(context);
    }

    internal static string UserName(this HttpContext http) => http.User.FindFirstValue(ClaimTypes.Name) ?? "admin";
}
