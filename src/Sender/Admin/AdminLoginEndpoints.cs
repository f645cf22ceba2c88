using System.Globalization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Newsletter.Sender.Admin.Pages;
using Newsletter.Sender.Hosting;

namespace Newsletter.Sender.Admin;

/// <summary>Signing in and out of the console (<c>/admin/login</c>, <c>/admin/logout</c>), throttled per address and user name.</summary>
internal static class AdminLoginEndpoints
{
    public static RouteGroupBuilder MapAdminLogin(this RouteGroupBuilder admin)
    {
        admin.MapGet("/login", LoginForm).AllowAnonymous();
        admin.MapPost("/login", LoginAsync).AllowAnonymous();
        admin.MapPost("/logout", async (HttpContext http) =>
        {
            await AdminSessions.SignOutAsync(http);
            return AdminResults.SeeOther("/admin/login");
        });
        return admin;
    }

    private static IResult LoginForm(HttpContext http, string? returnUrl)
        => http.User.Identity?.IsAuthenticated == true && http.User.Identity.AuthenticationType == AdminSecurity.Scheme
            ? AdminResults.SeeOther(SafeReturn(returnUrl))
            : AdminResults.Page<LoginPage>(http, "login", new Dictionary<string, object?> { ["ReturnUrl"] = SafeReturn(returnUrl) });

    private static async Task<IResult> LoginAsync(HttpContext http, LoginThrottle throttle, AdminTwoFactor twoFactor, IOptionsMonitor<AdminOptions> options,
        ILoggerFactory logs)
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

        var users = options.CurrentValue.Users;
        var index = users.FindIndex(u => string.Equals(u.Name, user, StringComparison.Ordinal) && user.Length > 0);
        var match = index < 0 ? null : users[index];
        // Without a match a dummy hash is still checked: the answer takes as long for an unknown name.
        var ok = PasswordHasher.Verify(password, match?.PasswordHash ?? DummyHash.Value) && match is not null && password.Length > 0;
        var log = logs.CreateLogger("Newsletter.Admin");
        if (!ok)
        {
            // Only a configured name is logged: an unknown one may be an address, or a password typed in the wrong field.
            log.LogWarning("admin sign-in refused for {User} from {Ip}", match is null ? "an unknown user name" : LogRedaction.Redact(match.Name), ip);
            return AdminResults.Page<LoginPage>(http, "login", new Dictionary<string, object?>
            {
                ["Error"] = "That user name and password do not match.", ["UserName"] = user, ["ReturnUrl"] = returnUrl,
            }, StatusCodes.Status401Unauthorized);
        }
        // Users come from configuration, which the service cannot rewrite: the operator replaces the hash.
        if (PasswordHasher.NeedsRehash(match!.PasswordHash))
            log.LogWarning("admin user {User} signed in with a password hash below {Iterations} PBKDF2 iterations: run hash-password and replace Admin__Users__{Index}__PasswordHash",
                LogRedaction.Redact(match.Name), PasswordHasher.Iterations, index);
        // With a second factor the password opens only the code (or enrolment) step, under a cookie of its own.
        if (await AdminTwoFactorEndpoints.StageAfterPasswordAsync(twoFactor, options.CurrentValue, match, http.RequestAborted) is { } stage)
        {
            await AdminTwoFactorEndpoints.SignInPendingAsync(http, match, stage, returnUrl);
            return AdminResults.SeeOther(stage == AdminTwoFactorEndpoints.StageVerify ? "/admin/login/code" : "/admin/two-factor");
        }
        await AdminSessions.SignInAsync(http, match);
        return AdminResults.SeeOther(returnUrl);
    }

    private static readonly Lazy<string> DummyHash = new(() => PasswordHasher.Hash(Guid.NewGuid().ToString()));

    /// <summary>Only a local admin path: never another site, never "//host" or "/\host".</summary>
    internal static string SafeReturn(string? returnUrl)
        => !string.IsNullOrEmpty(returnUrl) && returnUrl.StartsWith("/admin", StringComparison.Ordinal) && !returnUrl.Contains('\\')
           && !returnUrl.StartsWith("/admin/login", StringComparison.Ordinal) && !returnUrl.Contains("//", StringComparison.Ordinal)
            ? returnUrl : "/admin";
}
