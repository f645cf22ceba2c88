using Microsoft.Extensions.Options;
using Newsletter.Sender.Admin;
using Newsletter.Sender.Hosting;

namespace Newsletter.Sender.Public;

/// <summary>
/// Security headers of every answer outside <c>/admin</c> (which sets its own, see <c>AdminSecurity</c>): the public pages
/// (signup, confirm, unsubscribe, archive) run no inline script and are framed by nobody, except the signup page,
/// which the comparison site (<c>Site__ComparisonBaseUrl</c>) may embed.
/// </summary>
public static class PublicSecurityHeaders
{
    /// <summary>
    /// Scripts from this origin only (signup.js); inline styles allowed because the pages carry one style element and
    /// archived editions are email HTML, styled inline by necessity. Images may come from anywhere over https.
    /// </summary>
    public const string PageCsp =
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' https: data:; connect-src 'self'; "
        + "form-action 'self'; base-uri 'none'; object-src 'none'";

    public static IApplicationBuilder UsePublicSecurityHeaders(this IApplicationBuilder app)
    {
        string? comparisonOrigin = null;
        return app.Use((context, next) =>
        {
            var path = context.Request.Path;
            if (path.StartsWithSegments("/admin", StringComparison.OrdinalIgnoreCase)) return next(context);
            comparisonOrigin ??= new Uri(context.RequestServices.GetRequiredService<IOptions<SiteOptions>>().Value.ComparisonBaseUrl)
                .GetLeftPart(UriPartial.Authority);
            context.Response.OnStarting(() =>
            {
                var h = context.Response.Headers;
                h.XContentTypeOptions = "nosniff";
                if (IsSignupPage(path))
                {
                    h.ContentSecurityPolicy = PageCsp + "; frame-ancestors 'self' " + comparisonOrigin;
                }
                else
                {
                    h.ContentSecurityPolicy = PageCsp + "; frame-ancestors 'none'";
                    h.XFrameOptions = "DENY";
                }
                // A confirmation or unsubscribe token in the URL must not leave in a Referer header.
                h["Referrer-Policy"] = IsTokenPage(path) ? "no-referrer" : "strict-origin-when-cross-origin";
                return Task.CompletedTask;
            });
            return next(context);
        });
    }

    private static bool IsSignupPage(PathString path) => path == "/" || path.Equals("/subscribe", StringComparison.OrdinalIgnoreCase);

    private static bool IsTokenPage(PathString path)
        => path.StartsWithSegments("/confirm", StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments("/unsubscribe", StringComparison.OrdinalIgnoreCase);
}
