using Hangfire.Dashboard;
using Microsoft.AspNetCore.Authentication;

namespace Newsletter.Sender.Admin;

/// <summary>Lets into Hangfire's dashboard only a request signed in with the admin console's cookie (no API key, no other scheme).</summary>
public sealed class AdminDashboardAuthorization : IDashboardAsyncAuthorizationFilter
{
    public async Task<bool> AuthorizeAsync(DashboardContext context)
    {
        var result = await context.GetHttpContext().AuthenticateAsync(AdminSecurity.Scheme);
        return result.Succeeded;
    }
}
