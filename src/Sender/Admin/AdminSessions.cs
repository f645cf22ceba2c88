using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

namespace Newsletter.Sender.Admin;

/// <summary>
/// A session belongs to one configured user as they were when it began: the cookie carries a stamp derived from the
/// user's name and password hash, and every request re-checks it against the configured users, so removing a user or
/// changing their password ends their sessions (on every instance, after a restart too).
/// </summary>
public static class AdminSessions
{
    public const string StampClaim = "nl_stamp";

    /// <summary>A digest of the user's name and hash; reveals nothing usable about the hash.</summary>
    public static string Stamp(AdminUser user)
        => Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes("newsletter-admin-session\n" + user.Name + "\n" + user.PasswordHash)));

    public static ClaimsPrincipal Principal(AdminUser user)
        => new(new ClaimsIdentity([new Claim(ClaimTypes.Name, user.Name), new Claim(StampClaim, Stamp(user))], AdminSecurity.Scheme));

    /// <summary>The cookie handler's OnValidatePrincipal: rejects (and clears) a session whose user or password changed.</summary>
    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var name = context.Principal?.FindFirstValue(ClaimTypes.Name);
        var stamp = context.Principal?.FindFirstValue(StampClaim);
        var users = context.HttpContext.RequestServices.GetRequiredService<IOptionsMonitor<AdminOptions>>().CurrentValue.Users;
        var user = users.FirstOrDefault(u => string.Equals(u.Name, name, StringComparison.Ordinal));
        if (user is not null && stamp is not null
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(stamp), Encoding.UTF8.GetBytes(Stamp(user))))
            return;
        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(context.Scheme.Name);
    }

    /// <summary>Starts a session: the console's cookie and the API reference's (see <see cref="AdminSecurity.ReferenceScheme"/>).</summary>
    public static async Task SignInAsync(HttpContext http, AdminUser user)
    {
        await http.SignInAsync(AdminSecurity.Scheme, Principal(user), new AuthenticationProperties { IsPersistent = false });
        await http.SignInAsync(AdminSecurity.ReferenceScheme, Principal(user), new AuthenticationProperties { IsPersistent = false });
    }

    /// <summary>Ends both cookies of a session.</summary>
    public static async Task SignOutAsync(HttpContext http)
    {
        await http.SignOutAsync(AdminSecurity.Scheme);
        await http.SignOutAsync(AdminSecurity.ReferenceScheme);
    }
}
