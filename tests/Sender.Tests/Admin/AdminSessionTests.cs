using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Newsletter.Sender.Admin;
using Newsletter.Sender.Hosting;
using Newsletter.Sender.Tests.Infrastructure;

namespace Newsletter.Sender.Tests.Admin;

/// <summary>Admin sessions: who may keep one, over which transport, how sign-ins are throttled and what the logs say about them.</summary>
public sealed class AdminSessionTests
{
    [Fact]
    public async Task Changing_a_users_password_or_removing_the_user_ends_their_sessions()
    {
        using var service = await AdminTestSupport.CreateServiceAsync(new Dictionary<string, string?>
        {
            ["Admin:Users:1:Name"] = "second",
            ["Admin:Users:1:PasswordHash"] = PasswordHasher.Hash("second password"),
        });
        using var editor = await AdminTestSupport.SignedInClientAsync(service);
        using var second = service.CreateAnonymousClient();
        using (var login = await AdminTestSupport.PostLoginAsync(second, "second", "second password")) Assert.Equal(HttpStatusCode.SeeOther, login.StatusCode);
        using (var before = await editor.GetAsync("/admin")) Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        using (var before = await second.GetAsync("/admin")) Assert.Equal(HttpStatusCode.OK, before.StatusCode);

        // As a configuration reload would: the first user gets a new hash, the second is removed.
        var users = service.Services.GetRequiredService<IOptionsMonitor<AdminOptions>>().CurrentValue.Users;
        users[0].PasswordHash = PasswordHasher.Hash("a new password");
        users.RemoveAt(1);

        using var changed = await editor.GetAsync("/admin");
        Assert.Equal(HttpStatusCode.Redirect, changed.StatusCode);
        Assert.StartsWith("/admin/login", changed.Headers.Location?.OriginalString, StringComparison.Ordinal);
        using var removed = await second.GetAsync("/admin");
        Assert.Equal(HttpStatusCode.Redirect, removed.StatusCode);
        // The new password opens a new session.
        using var again = await AdminTestSupport.PostLoginAsync(editor, AdminTestSupport.User, "a new password");
        Assert.Equal(HttpStatusCode.SeeOther, again.StatusCode);
        using var dashboard = await editor.GetAsync("/admin");
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
    }

    [Fact]
    public async Task Where_https_is_required_the_console_refuses_plain_http_and_issues_no_cookie()
    {
        using var service = await AdminTestSupport.CreateServiceAsync(); // Testing environment: required by default
        using var plain = service.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri("http://news.example.com") });

        foreach (var response in new[] { await plain.GetAsync("/admin/login"), await plain.PostAsync("/admin/login", AdminTestSupport.Form(("username", AdminTestSupport.User), ("password", AdminTestSupport.Password))) })
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Contains("only answers over HTTPS", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.False(response.Headers.Contains("Set-Cookie"));
            response.Dispose();
        }
        // A proxy on loopback (trusted by default) that says the reader came over HTTPS is believed: Secure cookies.
        // (The client's own cookie jar would not send Secure cookies to an http:// address, so they go by hand.)
        using var proxy = service.CreateClient(new WebApplicationFactoryClientOptions
        {
            AllowAutoRedirect = false, HandleCookies = false, BaseAddress = new Uri("http://news.example.com"),
        });
        proxy.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
        using var form = await proxy.GetAsync("/admin/login");
        Assert.Equal(HttpStatusCode.OK, form.StatusCode);
        var csrfCookie = form.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(AdminSecurity.CsrfCookieName + "=", StringComparison.Ordinal));
        Assert.Contains("secure", csrfCookie, StringComparison.OrdinalIgnoreCase);
        using var post = new HttpRequestMessage(HttpMethod.Post, "/admin/login")
        {
            Content = AdminTestSupport.Form(("__csrf", AdminTestSupport.CsrfToken(await form.Content.ReadAsStringAsync())),
                ("username", AdminTestSupport.User), ("password", AdminTestSupport.Password)),
        };
        post.Headers.Add("Cookie", csrfCookie.Split(';')[0]);
        using var proxied = await proxy.SendAsync(post);
        Assert.Equal(HttpStatusCode.SeeOther, proxied.StatusCode);
        var cookie = proxied.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(AdminSecurity.CookieName + "=", StringComparison.Ordinal));
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task With_RequireHttps_off_plain_http_signs_in_with_a_cookie_that_is_not_secure()
    {
        using var service = await AdminTestSupport.CreateServiceAsync(new Dictionary<string, string?> { ["Admin:RequireHttps"] = "false" });
        using var plain = service.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri("http://news.example.com") });

        using var login = await AdminTestSupport.PostLoginAsync(plain, AdminTestSupport.User, AdminTestSupport.Password);

        Assert.Equal(HttpStatusCode.SeeOther, login.StatusCode);
        var cookie = login.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(AdminSecurity.CookieName + "=", StringComparison.Ordinal));
        Assert.DoesNotContain("secure", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Wrong_attempts_from_one_address_do_not_lock_the_admin_out_from_another()
    {
        using var service = await AdminTestSupport.CreateServiceAsync();
        using var attacker = service.CreateAnonymousClient();
        attacker.DefaultRequestHeaders.Add("X-Forwarded-For", "203.0.113.66");
        using var admin = service.CreateAnonymousClient();
        admin.DefaultRequestHeaders.Add("X-Forwarded-For", "198.51.100.7");

        for (var i = 0; i < LoginThrottle.PerMinute; i++)
        {
            using var r = await AdminTestSupport.PostLoginAsync(attacker, AdminTestSupport.User, "guess " + i);
            Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        }
        using var limited = await AdminTestSupport.PostLoginAsync(attacker, AdminTestSupport.User, AdminTestSupport.Password);
        Assert.Equal((HttpStatusCode)429, limited.StatusCode);

        using var login = await AdminTestSupport.PostLoginAsync(admin, AdminTestSupport.User, AdminTestSupport.Password);
        Assert.Equal(HttpStatusCode.SeeOther, login.StatusCode);
    }

    [Fact]
    public void One_address_is_limited_across_user_names_too()
    {
        var throttle = new LoginThrottle(TimeProvider.System);
        for (var i = 0; i < LoginThrottle.PerAddressPerMinute; i++) Assert.Null(throttle.Attempt("192.0.2.1", "user" + i));
        Assert.NotNull(throttle.Attempt("192.0.2.1", "yet-another"));
        Assert.Null(throttle.Attempt("192.0.2.2", "yet-another"));
    }

    [Fact]
    public async Task An_old_iteration_hash_still_signs_in_and_the_operator_is_told_to_rehash()
    {
        var logs = new LogCapture();
        using var service = await AdminTestSupport.CreateServiceAsync(new Dictionary<string, string?>
        {
            ["Admin:Users:0:PasswordHash"] = PasswordHasher.Hash(AdminTestSupport.Password, 210_000),
        });
        using var logged = service.WithWebHostBuilder(b => b.ConfigureLogging(l => l.AddProvider(logs)));
        using var client = logged.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri("https://news.example.com") });

        using var login = await AdminTestSupport.PostLoginAsync(client, AdminTestSupport.User, AdminTestSupport.Password);

        Assert.Equal(HttpStatusCode.SeeOther, login.StatusCode);
        Assert.Contains(logs.Messages, m => m.Contains("below 600000 PBKDF2 iterations", StringComparison.Ordinal)
            && m.Contains("Admin__Users__0__PasswordHash", StringComparison.Ordinal));
    }

    [Fact]
    public void New_hashes_use_600000_iterations_and_old_ones_keep_verifying()
    {
        var hash = PasswordHasher.Hash("pw");
        Assert.StartsWith("pbkdf2-sha256$600000$", hash, StringComparison.Ordinal);
        Assert.False(PasswordHasher.NeedsRehash(hash));
        var old = PasswordHasher.Hash("pw", 210_000);
        Assert.True(PasswordHasher.Verify("pw", old));
        Assert.False(PasswordHasher.Verify("not pw", old));
        Assert.True(PasswordHasher.NeedsRehash(old));
    }

    [Fact]
    public async Task A_refused_sign_in_logs_no_address_and_no_unknown_user_name()
    {
        var logs = new LogCapture();
        using var service = await AdminTestSupport.CreateServiceAsync(new Dictionary<string, string?>
        {
            ["Admin:Users:0:Name"] = "ops@news.example.com",
        });
        using var logged = service.WithWebHostBuilder(b => b.ConfigureLogging(l => l.AddProvider(logs)));
        using var client = logged.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri("https://news.example.com") });

        using var known = await AdminTestSupport.PostLoginAsync(client, "ops@news.example.com", "wrong");
        using var unknown = await AdminTestSupport.PostLoginAsync(client, "jane.doe@example.org", "wrong");
        using var password = await AdminTestSupport.PostLoginAsync(client, "MyS3cretPassw0rd", "wrong");

        var refused = logs.Messages.Where(m => m.Contains("sign-in refused", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, refused.Count);
        Assert.Contains(refused, m => m.Contains("***@news.example.com", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Messages, m => m.Contains("ops@", StringComparison.Ordinal) || m.Contains("jane.doe", StringComparison.Ordinal)
            || m.Contains("MyS3cretPassw0rd", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("550 5.1.1 <Jane.Doe@example.org>: Recipient address rejected", "550 5.1.1 <***@example.org>: Recipient address rejected")]
    [InlineData("452 4.2.2 \"odd local\"@[192.0.2.1] over quota", "452 4.2.2 ***@[192.0.2.1] over quota")]
    [InlineData("421 4.7.0 try again later", "421 4.7.0 try again later")]
    public void Redaction_hides_the_local_part_of_every_address(string text, string expected)
        => Assert.Equal(expected, LogRedaction.Redact(text));
}
