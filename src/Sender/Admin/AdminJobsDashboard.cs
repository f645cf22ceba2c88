using Hangfire;
using Hangfire.Dashboard;

namespace Newsletter.Sender.Admin;

/// <summary>
/// Hangfire's dashboard as the console's Jobs page (<c>/admin/jobs</c>): recurring jobs (trigger, delete), runs,
/// retries and failures with their exceptions, servers of the cluster. Only for a signed-in admin: the endpoint
/// requires the console's policy (anonymous callers get the login redirect like every /admin route) and the
/// dashboard's own filter checks the admin cookie again. Its state-changing POSTs carry the console's antiforgery
/// token (Hangfire puts it in the page and sends it in a header; IgnoreAntiforgeryToken stays false).
/// </summary>
internal static class AdminJobsDashboard
{
    public const string Path = "/admin/jobs";

    public static WebApplication MapAdminJobs(this WebApplication app)
    {
        app.MapHangfireDashboard(Path, new DashboardOptions
        {
            Authorization = [],
            AsyncAuthorization = [new AdminDashboardAuthorization()],
            IgnoreAntiforgeryToken = false,
            AppPath = "/admin",
            DashboardTitle = "Jobs",
            DisplayStorageConnectionString = false,
        }).RequireAuthorization(AdminSecurity.Policy);
        return app;
    }
}
