using System.Net;
using Newsletter.Sender.Admin.Pages;
using Newsletter.Sender.Hosting;
using Newsletter.Templates;

namespace Newsletter.Sender.Admin;

/// <summary>
/// The email templates (<c>/admin/templates</c>): each one's source (default or override), last change and error,
/// and a preview with sample data in light and dark. Read-only: templates are code and come only from files on the server.
/// </summary>
internal static class AdminTemplateEndpoints
{
    public static RouteGroupBuilder MapAdminTemplates(this RouteGroupBuilder admin)
    {
        admin.MapGet("/templates", ListAsync);
        admin.MapGet("/templates/frame", FrameAsync);
        return admin;
    }

    /// <summary>Turns a broken template into a readable page (422) naming the template, line and error.</summary>
    public static async ValueTask<object?> ShowTemplateErrors(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (TemplateException e)
        {
            return AdminResults.Message(context.HttpContext, StatusCodes.Status422UnprocessableEntity, "The email template cannot be rendered",
                e.Message + ". Nothing is sent until the file is fixed.", "/admin/templates", "Templates");
        }
    }

    private static async Task<IResult> ListAsync(HttpContext http, EmailRenderer renderer, string? file, CancellationToken ct)
    {
        var templates = await renderer.Templates.CheckAsync(ct);
        var selected = templates.FirstOrDefault(t => t.FileName == file) ?? templates[0];
        var model = new TemplatesModel(templates, renderer.Templates.Directory, selected);
        return AdminResults.Page<TemplatesPage>(http, "templates", new Dictionary<string, object?> { ["Model"] = model });
    }

    private static async Task<IResult> FrameAsync(HttpContext http, EmailRenderer renderer, SiteInfoProvider site, string? file, string? scheme, CancellationToken ct)
    {
        http.Response.Headers.ContentSecurityPolicy = AdminSecurity.FrameCsp;
        http.Response.Headers.XFrameOptions = "SAMEORIGIN";
        var known = EmailTemplates.All.FirstOrDefault(t => t.FileName == file)?.FileName ?? EmailTemplates.Edition;
        string html;
        try
        {
            html = (await renderer.RenderSampleAsync(known, site.Get(), ct)).Html
                .Replace(TemplateSamples.Markers.UnsubscribeUrl, WebUtility.HtmlEncode(site.SignupUrl()), StringComparison.Ordinal)
                .Replace(TemplateSamples.Markers.Email, PreviewService.SampleAddress, StringComparison.Ordinal);
        }
        catch (TemplateException e)
        {
            html = "<!DOCTYPE html><html lang=\"en\"><body style=\"font-family:sans-serif;padding:16px\"><p role=\"alert\">"
                   + WebUtility.HtmlEncode(e.Message) + "</p></body></html>";
        }
        // The email's own dark palette is behind prefers-color-scheme: pin it to the scheme asked for.
        html = scheme == "dark"
            ? html.Replace("@media (prefers-color-scheme: dark)", "@media all", StringComparison.Ordinal).Replace(":root{color-scheme:light dark;", ":root{color-scheme:dark;", StringComparison.Ordinal)
            : html.Replace("@media (prefers-color-scheme: dark)", "@media not all", StringComparison.Ordinal).Replace(":root{color-scheme:light dark;", ":root{color-scheme:light;", StringComparison.Ordinal);
        return TypedResults.Content(html, "text/html; charset=utf-8");
    }
}
