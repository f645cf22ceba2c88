using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;
using Newsletter.Sender.Admin.Pages;
using Newsletter.Sender.Hosting;

namespace Newsletter.Sender.Admin;

/// <summary>
/// Two-factor sign-in (<see cref="AdminTwoFactor"/>): after the password, an enrolled admin holds only a short "pending"
/// cookie of its own scheme (which opens nothing in the console) until a code is given at <c>/admin/login/code</c>;
/// <c>/admin/two-factor</c> enrols (from the console, or at sign-in when <c>Admin__RequireTwoFactor</c> is on and the
/// user has no key yet). Code attempts are throttled like passwords.
/// </summary>
internal static class AdminTwoFactorEndpoints
{
    public const string PendingScheme = "AdminPending";
    public const string PendingCookieName = "nl_admin_pending";
    public const string StageVerify = "verify";
    public const string StageEnrol = "enrol";
    private const string StageClaim = "nl_stage";
    private const string ReturnClaim = "nl_return";
    public static readonly TimeSpan PendingLifetime = TimeSpan.FromMinutes(10);

    /// <summary>The code step: only with a pending sign-in.</summary>
    public const string PendingPolicy = "admin-pending";

    /// <summary>Enrolment: an admin session, or a pending sign-in that must enrol first.</summary>
    public const string EnrolPolicy = "admin-or-pending";

    /// <summary>
    /// Maps the routes on <paramref name="admin"/>: a group on /admin with the console's filters but not its policy, since
    /// these routes also answer the pending cookie (each handler checks which stage it is in).
    /// </summary>
    public static RouteGroupBuilder MapAdminTwoFactor(this RouteGroupBuilder admin)
    {
        admin.MapGet("/login/code", CodeFormAsync).RequireAuthorization(PendingPolicy);
        admin.MapPost("/login/code", CodeAsync).RequireAuthorization(PendingPolicy);
        admin.MapGet("/two-factor", StatusAsync).RequireAuthorization(EnrolPolicy);
        admin.MapPost("/two-factor/enrol", EnrolAsync).RequireAuthorization(EnrolPolicy);
        admin.MapPost("/two-factor/confirm", ConfirmAsync).RequireAuthorization(EnrolPolicy);
        return admin;
    }

    internal static void ConfigureCookie(CookieAuthenticationOptions o)
    {
        o.Cookie.Name = PendingCookieName;
        o.Cookie.HttpOnly = true;
        o.Cookie.SameSite = SameSiteMode.Strict;
        o.Cookie.Path = "/admin";
        o.ExpireTimeSpan = PendingLifetime;
        o.SlidingExpiration = false;
        // The same answer as the console's cookie gives (both may challenge one request): back to the login form.
        o.Events.OnRedirectToLogin = context =>
        {
            context.Response.Redirect("/admin/login?returnUrl=" + Uri.EscapeDataString(context.Request.Path + context.Request.QueryString));
            return Task.CompletedTask;
        };
        o.Events.OnRedirectToAccessDenied = o.Events.OnRedirectToLogin;
    }

    /// <summary>After a correct password: what the user must still do (null: nothing, sign in now).</summary>
    internal static async Task<string?> StageAfterPasswordAsync(AdminTwoFactor twoFactor, AdminOptions options, AdminUser user, CancellationToken ct)
        => await twoFactor.IsEnrolledAsync(user.Name, ct) ? StageVerify : options.RequireTwoFactor ? StageEnrol : null;

    internal static Task SignInPendingAsync(HttpContext http, AdminUser user, string stage, string returnUrl)
        => http.SignInAsync(PendingScheme, new ClaimsPrincipal(new ClaimsIdentity(
            [
                new Claim(ClaimTypes.Name, user.Name), new Claim(AdminSessions.StampClaim, AdminSessions.Stamp(user)),
                new Claim(StageClaim, stage), new Claim(ReturnClaim, returnUrl),
            ], PendingScheme)), new AuthenticationProperties { IsPersistent = false });

    private static async Task<IResult> CodeFormAsync(HttpContext http, IOptionsMonitor<AdminOptions> options)
        => await PendingAsync(http, options.CurrentValue, StageVerify) is null
            ? AdminResults.SeeOther("/admin/login")
            : AdminResults.Page<TwoFactorCodePage>(http, "login");

    private static async Task<IResult> CodeAsync(HttpContext http, AdminTwoFactor twoFactor, LoginThrottle throttle, IOptionsMonitor<AdminOptions> options,
        ILoggerFactory logs, CancellationToken ct)
    {
        if (await PendingAsync(http, options.CurrentValue, StageVerify) is not { } pending) return AdminResults.SeeOther("/admin/login");
        var form = await http.Request.ReadFormAsync(ct);
        var ip = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (throttle.Attempt(ip, "two-factor\n" + pending.User.Name) is { } wait)
        {
            http.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            return AdminResults.Page<TwoFactorCodePage>(http, "login", new Dictionary<string, object?> { ["Error"] = "Too many attempts. Wait a minute and try again." },
                StatusCodes.Status429TooManyRequests);
        }
        if (!await twoFactor.VerifyAsync(pending.User.Name, form["code"].ToString(), ct))
        {
            logs.CreateLogger("Newsletter.Admin").LogWarning("admin two-factor code refused for {User} from {Ip}", LogRedaction.Redact(pending.User.Name), ip);
            return AdminResults.Page<TwoFactorCodePage>(http, "login", new Dictionary<string, object?>
            {
                ["Error"] = "That code is not valid, or it was already used. Enter the current code from your app, or an unused recovery code.",
            }, StatusCodes.Status401Unauthorized);
        }
        await http.SignOutAsync(PendingScheme);
        await AdminSessions.SignInAsync(http, pending.User);
        return AdminResults.SeeOther(pending.ReturnUrl);
    }

    private static async Task<IResult> StatusAsync(HttpContext http, AdminTwoFactor twoFactor, IOptionsMonitor<AdminOptions> options, CancellationToken ct)
    {
        if (await WhoAsync(http, options.CurrentValue) is not { } who) return AdminResults.SeeOther("/admin/login");
        var status = await twoFactor.StatusAsync(who.User.Name, ct);
        return AdminResults.Page<TwoFactorPage>(http, "two-factor", new Dictionary<string, object?>
        {
            ["Required"] = who.Pending, ["ConfirmedAt"] = status?.ConfirmedAt, ["CodesLeft"] = status?.CodesLeft,
        });
    }

    private static async Task<IResult> EnrolAsync(HttpContext http, AdminTwoFactor twoFactor, IOptionsMonitor<AdminOptions> options, IOptions<SiteOptions> site,
        CancellationToken ct)
    {
        if (await WhoAsync(http, options.CurrentValue) is not { } who) return AdminResults.SeeOther("/admin/login");
        var enrolment = await twoFactor.BeginEnrolmentAsync(who.User.Name, site.Value.NewsletterName, ct);
        return AdminResults.Page<TwoFactorPage>(http, "two-factor", new Dictionary<string, object?> { ["Required"] = who.Pending, ["Enrolment"] = enrolment });
    }

    private static async Task<IResult> ConfirmAsync(HttpContext http, AdminTwoFactor twoFactor, LoginThrottle throttle, IOptionsMonitor<AdminOptions> options,
        CancellationToken ct)
    {
        if (await WhoAsync(http, options.CurrentValue) is not { } who) return AdminResults.SeeOther("/admin/login");
        var form = await http.Request.ReadFormAsync(ct);
        var ip = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (throttle.Attempt(ip, "two-factor\n" + who.User.Name) is { } wait)
        {
            http.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            return AdminResults.Message(http, StatusCodes.Status429TooManyRequests, "Too many attempts", "Wait a minute, then set up two-factor sign-in again.",
                "/admin/two-factor", "Back to two-factor sign-in");
        }
        var codes = await twoFactor.ConfirmAsync(who.User.Name, form["code"].ToString(), ct);
        if (codes is null)
        {
            // The key is not shown again: a wrong code starts the enrolment over with a new one.
            return AdminResults.Message(http, StatusCodes.Status400BadRequest, "That code did not match",
                "Nothing was changed. Set up two-factor sign-in again with the new key it shows, and enter the code your app shows for it.",
                "/admin/two-factor", "Back to two-factor sign-in");
        }
        if (who.Pending)
        {
            await http.SignOutAsync(PendingScheme);
            await AdminSessions.SignInAsync(http, who.User);
        }
        return AdminResults.Page<TwoFactorPage>(http, "two-factor", new Dictionary<string, object?> { ["RecoveryCodes"] = codes, ["ReturnUrl"] = who.ReturnUrl });
    }

    /// <summary>The signed-in admin, or the user in the middle of a sign-in that requires enrolment.</summary>
    private static async Task<(AdminUser User, bool Pending, string ReturnUrl)?> WhoAsync(HttpContext http, AdminOptions options)
    {
        var full = await http.AuthenticateAsync(AdminSecurity.Scheme);
        if (full.Succeeded && full.Principal.FindFirstValue(ClaimTypes.Name) is { } name
            && options.Users.FirstOrDefault(u => string.Equals(u.Name, name, StringComparison.Ordinal)) is { } user)
        {
            http.User = full.Principal;
            return (user, false, "/admin");
        }
        return await PendingAsync(http, options, StageEnrol) is { } pending ? (pending.User, true, pending.ReturnUrl) : null;
    }

    /// <summary>The pending sign-in of <paramref name="stage"/>, for a user who still exists with the same password.</summary>
    private static async Task<(AdminUser User, string ReturnUrl)?> PendingAsync(HttpContext http, AdminOptions options, string stage)
    {
        var result = await http.AuthenticateAsync(PendingScheme);
        if (!result.Succeeded || result.Principal.FindFirstValue(StageClaim) != stage) return null;
        var name = result.Principal.FindFirstValue(ClaimTypes.Name);
        var stamp = result.Principal.FindFirstValue(AdminSessions.StampClaim);
        var user = options.Users.FirstOrDefault(u => string.Equals(u.Name, name, StringComparison.Ordinal));
        if (user is null || stamp is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(stamp), Encoding.UTF8.GetBytes(AdminSessions.Stamp(user))))
            return null;
        return (user, AdminLoginEndpoints.SafeReturn(result.Principal.FindFirstValue(ReturnClaim)));
    }
}
