using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

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
        builder.Services.AddAuthentication().AddCookie(AdminSecurity.Scheme, AdminSecurity.ConfigureCookie)
            .AddCookie(AdminTwoFactorEndpoints.PendingScheme, AdminTwoFactorEndpoints.ConfigureCookie)
            .AddCookie(AdminSecurity.ReferenceScheme, AdminSecurity.ConfigureReferenceCookie);
        // Where HTTPS is required both cookies are Secure whatever the request; elsewhere Secure when the request is HTTPS.
        builder.Services.AddOptions<CookieAuthenticationOptions>(AdminSecurity.Scheme).Configure<IOptions<AdminOptions>, IHostEnvironment>(
            (o, admin, environment) => o.Cookie.SecurePolicy = admin.Value.HttpsRequired(environment) ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest);
        builder.Services.AddOptions<CookieAuthenticationOptions>(AdminSecurity.ReferenceScheme).Configure<IOptions<AdminOptions>, IHostEnvironment>(
            (o, admin, environment) => o.Cookie.SecurePolicy = admin.Value.HttpsRequired(environment) ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest);
        builder.Services.AddOptions<CookieAuthenticationOptions>(AdminTwoFactorEndpoints.PendingScheme).Configure<IOptions<AdminOptions>, IHostEnvironment>(
            (o, admin, environment) => o.Cookie.SecurePolicy = admin.Value.HttpsRequired(environment) ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest);
        builder.Services.AddOptions<AntiforgeryOptions>().Configure<IOptions<AdminOptions>, IHostEnvironment>(
            (o, admin, environment) => o.Cookie.SecurePolicy = admin.Value.HttpsRequired(environment) ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(AdminSecurity.Policy, p => p.AddAuthenticationSchemes(AdminSecurity.Scheme).RequireAuthenticatedUser())
            .AddPolicy(AdminTwoFactorEndpoints.PendingPolicy, p => p.AddAuthenticationSchemes(AdminTwoFactorEndpoints.PendingScheme).RequireAuthenticatedUser())
            .AddPolicy(AdminTwoFactorEndpoints.EnrolPolicy, p => p.AddAuthenticationSchemes(AdminSecurity.Scheme, AdminTwoFactorEndpoints.PendingScheme).RequireAuthenticatedUser());
        builder.Services.AddAntiforgery(o =>
        {
            o.Cookie.Name = AdminSecurity.CsrfCookieName;
            o.Cookie.Path = "/admin";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.FormFieldName = AdminSecurity.CsrfField;
            o.SuppressXFrameOptionsHeader = true; // set by UseAdminSecurityHeaders
        });
        builder.Services.AddSingleton<LoginThrottle>();
        builder.Services.AddSingleton<AdminTwoFactor>();
        builder.Services.AddSingleton<AdminQueries>();
        builder.Services.AddSingleton<PreviewService>();
        builder.Services.AddSingleton<SpamCheck>();
        return builder;
    }

    public static WebApplication MapAdmin(this WebApplication app)
    {
        app.UseAdminAssets();
        var admin = app.MapGroup("/admin").RequireAuthorization(AdminSecurity.Policy)
            .AddEndpointFilter(AdminSecurity.RequireHttps).AddEndpointFilter(AdminSecurity.ValidateAntiforgery);
        admin.MapAdminLogin();
        app.MapGroup("/admin").AddEndpointFilter(AdminSecurity.RequireHttps).AddEndpointFilter(AdminSecurity.ValidateAntiforgery).MapAdminTwoFactor();
        admin.MapAdminDashboard();
        admin.MapAdminPreview();
        admin.MapAdminEditions();
        admin.MapAdminSubscribers();
        admin.MapAdminComparisons();
        app.MapAdminJobs(); // Hangfire's dashboard: its own pipeline, outside the group (see AdminJobsDashboard)
        admin.MapAdminTemplates();
        return app;
    }
}
