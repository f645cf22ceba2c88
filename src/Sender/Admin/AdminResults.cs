using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Newsletter.Sender.Hosting;
using Newsletter.Sender.Admin.Pages;

namespace Newsletter.Sender.Admin;

/// <summary>Renders admin page components with the per-request <see cref="AdminContext"/>.</summary>
internal static class AdminResults
{
    public static AdminContext Context(HttpContext http, string section)
    {
        var tokens = http.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(http);
        var name = http.RequestServices.GetRequiredService<IOptions<SiteOptions>>().Value.NewsletterName;
        var user = http.User.Identity?.IsAuthenticated == true ? http.UserName() : null;
        return new AdminContext(name, user, tokens.FormFieldName, tokens.RequestToken ?? "", section);
    }

    public static IResult Page<TComponent>(HttpContext http, string section, IDictionary<string, object?>? parameters = null, int status = StatusCodes.Status200OK)
        where TComponent : Microsoft.AspNetCore.Components.IComponent
    {
        var all = new Dictionary<string, object?>(parameters ?? new Dictionary<string, object?>()) { ["Context"] = Context(http, section) };
        return new RazorComponentResult<TComponent>(all) { StatusCode = status };
    }

    public static IResult Message(HttpContext http, int status, string title, string message, string? backUrl = null, string? backLabel = null)
        => Page<MessagePage>(http, "", new Dictionary<string, object?> { ["Title"] = title, ["Message"] = message, ["BackUrl"] = backUrl, ["BackLabel"] = backLabel }, status);

    public static IResult NotFound(HttpContext http, string what)
        => Message(http, StatusCodes.Status404NotFound, "Not found", $"There is no {what}.");

    /// <summary>303 See Other to a local admin path (post/redirect/get).</summary>
    public static IResult SeeOther(string path) => new SeeOtherResult(path);

    private sealed class SeeOtherResult(string path) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status303SeeOther;
            httpContext.Response.Headers.Location = path;
            return Task.CompletedTask;
        }
    }
}
