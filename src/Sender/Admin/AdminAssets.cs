using Microsoft.Extensions.FileProviders;
using Newsletter.Sender.Admin.Pages;

namespace Newsletter.Sender.Admin;

/// <summary>
/// The console's stylesheet and script (<c>Admin/Assets</c>, embedded), served at
/// <see cref="AdminFormat.StylesheetUrl"/> and <see cref="AdminFormat.ScriptUrl"/>: the addresses they had when
/// the Templates library shipped them as static web assets, so cached pages and bookmarks keep working.
/// </summary>
public static class AdminAssets
{
    public const string RequestPath = "/_content/Newsletter.Templates/admin";

    public static IApplicationBuilder UseAdminAssets(this IApplicationBuilder app) =>
        app.UseStaticFiles(new StaticFileOptions
        {
            RequestPath = RequestPath,
            FileProvider = new EmbeddedFileProvider(typeof(AdminAssets).Assembly, "Newsletter.Sender.Admin.Assets"),
        });
}
