using System.Net;
using System.Text.RegularExpressions;
using Newsletter.Sender.Admin;

namespace Newsletter.EndToEnd.Tests;

/// <summary>
/// Two real service processes on one database, behind a (loopback, so trusted) proxy that says the reader came over
/// HTTPS: a session and a form made by one instance are accepted by the other and survive a restart; a changed
/// password ends the session.
/// </summary>
[Trait("Category", "Slow")] // a real service process, real time
public sealed partial class AdminSessionAcrossInstancesTests
{
    private const string User = "editor";
    private const string Password = "correct horse battery staple";

    [Fact]
    public async Task A_session_made_on_one_instance_works_on_another_and_after_a_restart_until_the_password_changes()
    {
        var connectionString = await TestDatabases.CreateEmptyAsync();
        var hash = PasswordHasher.Hash(Password);
        var homes = new List<string>();
        Dictionary<string, string?> Settings(int port, string passwordHash)
        {
            var s = ServiceProcess.Settings(connectionString, port);
            s["Admin__Users__0__Name"] = User;
            s["Admin__Users__0__PasswordHash"] = passwordHash;
            s["Delivery__Workers"] = "1";
            // Each start is a fresh container: no key folder shared through the home directory.
            homes.Add(Directory.CreateTempSubdirectory("newsletter-home-").FullName);
            s["HOME"] = homes[^1];
            return s;
        }
        var portA = ServiceProcess.FreePort();
        var portB = ServiceProcess.FreePort();
        var a = await ServiceProcess.StartAsync(Settings(portA, hash));
        await using var b = await ServiceProcess.StartAsync(Settings(portB, hash));
        try
        {
            // The login form (and its antiforgery cookie) from A, posted to B.
            using var formOnA = await Send(a, HttpMethod.Get, "/admin/login", null, null);
            Assert.Equal(HttpStatusCode.OK, formOnA.StatusCode);
            var csrfCookie = CookiePair(formOnA, "nl_admin_csrf");
            var token = WebUtility.HtmlDecode(CsrfField().Match(await formOnA.Content.ReadAsStringAsync()).Groups[1].Value);
            using var loginOnB = await Send(b, HttpMethod.Post, "/admin/login", csrfCookie,
                new FormUrlEncodedContent(new Dictionary<string, string> { ["__csrf"] = token, ["username"] = User, ["password"] = Password }));
            Assert.Equal(HttpStatusCode.SeeOther, loginOnB.StatusCode);
            var session = CookiePair(loginOnB, "nl_admin");

            using (var onA = await Send(a, HttpMethod.Get, "/admin", session, null)) Assert.Equal(HttpStatusCode.OK, onA.StatusCode);
            using (var onB = await Send(b, HttpMethod.Get, "/admin", session, null)) Assert.Equal(HttpStatusCode.OK, onB.StatusCode);

            await a.DisposeAsync();
            a = await ServiceProcess.StartAsync(Settings(portA, hash));
            using (var afterRestart = await Send(a, HttpMethod.Get, "/admin", session, null)) Assert.Equal(HttpStatusCode.OK, afterRestart.StatusCode);

            await a.DisposeAsync();
            a = await ServiceProcess.StartAsync(Settings(portA, PasswordHasher.Hash("a new password")));
            using var changed = await Send(a, HttpMethod.Get, "/admin", session, null);
            Assert.Equal(HttpStatusCode.Redirect, changed.StatusCode);
            Assert.StartsWith("/admin/login", changed.Headers.Location?.OriginalString, StringComparison.Ordinal);
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException($"{e.GetType().Name}: {e.Message}\n--- A ---\n{a.Output}\n--- B ---\n{b.Output}", e);
        }
        finally
        {
            await a.DisposeAsync();
            foreach (var home in homes) Directory.Delete(home, recursive: true);
        }
    }

    /// <summary>One request as the proxy would forward it (X-Forwarded-Proto: https), cookies passed by hand.</summary>
    private static async Task<HttpResponseMessage> Send(ServiceProcess service, HttpMethod method, string path, string? cookie, HttpContent? content)
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = service.BaseUrl };
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Add("X-Forwarded-Proto", "https");
        if (cookie is not null) request.Headers.Add("Cookie", cookie);
        var response = await http.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    private static string CookiePair(HttpResponseMessage response, string name)
    {
        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(name + "=", StringComparison.Ordinal));
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
        return cookie.Split(';')[0];
    }

    [GeneratedRegex("name=\"__csrf\" value=\"([^\"]+)\"")]
    private static partial Regex CsrfField();
}
