using System.Net;
using System.Security.Claims;
using Dapper;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Newsletter.Sender.Admin;
using Newsletter.Sender.Tests.Infrastructure;

namespace Newsletter.Sender.Tests.Admin;

/// <summary>Signing in to the console and what it refuses.</summary>
public sealed class AdminAccessTests
{
    [Fact]
    public async Task The_right_password_signs_in_with_a_strict_http_only_cookie_and_opens_the_dashboard()
    {
        using var service = await AdminTestSupport.CreateServiceAsync();
        using var client = service.CreateAnonymousClient();

        using var login = await AdminTestSupport.PostLoginAsync(client, AdminTestSupport.User, AdminTestSupport.Password);

        Assert.Equal(HttpStatusCode.SeeOther, login.StatusCode);
        Assert.Equal("/admin", login.Headers.Location?.OriginalString);
        var cookie = login.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(AdminSecurity.CookieName + "=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/admin", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase); // the request was https
        using var dashboard = await client.GetAsync("/admin");
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        var html = await dashboard.Content.ReadAsStringAsync();
        Assert.Contains("Dashboard", html, StringComparison.Ordinal);
        Assert.Contains(AdminTestSupport.User, html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_admin_answer_carries_the_security_headers_and_the_preview_frame_is_sandboxed()
    {
        using var service = await AdminTestSupport.CreateServiceAsync();
        using var client = await AdminTestSupport.SignedInClientAsync(service);
        using var anonymous = service.CreateAnonymousClient();

        foreach (var response in new[] { await client.GetAsync("/admin"), await anonymous.GetAsync("/admin/editions"), await anonymous.GetAsync("/admin/login") })
        {
            var csp = string.Join(" ", response.Headers.GetValues("Content-Security-Policy"));
            Assert.Contains("default-src 'self'", csp, StringComparison.Ordinal);
            Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
            Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
            Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
            response.Dispose();
        }
        using var frame = await client.GetAsync("/admin/preview/frame?width=600&scheme=dark");
        Assert.Equal(HttpStatusCode.OK, frame.StatusCode);
        var frameCsp = frame.Headers.GetValues("Content-Security-Policy").Single();
        Assert.StartsWith("sandbox", frameCsp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'self'", frameCsp, StringComparison.Ordinal);
        Assert.DoesNotContain("allow-scripts", frameCsp, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_password_is_refused_without_a_session_cookie_and_changes_nothing()
    {
        using var service = await AdminTestSupport.CreateServiceAsync();
        using var client = service.CreateAnonymousClient();
        await AdminTestSupport.SeedAsync(service.DataSource);
        var before = await AdminTestSupport.FingerprintAsync(service.DataSource);

        using var wrong = await AdminTestSupport.PostLoginAsync(client, AdminTestSupport.User, "not the password");
        using var unknown = await AdminTestSupport.PostLoginAsync(client, "mallory", AdminTestSupport.Password);
        using var empty = await AdminTestSupport.PostLoginAsync(client, AdminTestSupport.User, "");

        foreach (var r in new[] { wrong, unknown, empty })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
            Assert.DoesNotContain(r.Headers.TryGetValues("Set-Cookie", out var c) ? c : [], v => v.StartsWith(AdminSecurity.CookieName + "=", StringComparison.Ordinal));
            Assert.Contains("do not match", await r.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        using var dashboard = await client.GetAsync("/admin");
        Assert.Equal(HttpStatusCode.Redirect, dashboard.StatusCode);
        Assert.Equal(before, await AdminTestSupport.FingerprintAsync(service.DataSource));
    }

    [Fact]
    public async Task Sign_in_attempts_beyond_five_a_minute_are_refused_with_429_even_with_the_right_password()
    {
        using var service = await AdminTestSupport.CreateServiceAsync();
        using var client = service.CreateAnonymousClient();

        for (var i = 0; i < LoginThrottle.PerMinute; i++)
        {
            using var r = await AdminTestSupport.PostLoginAsync(client, AdminTestSupport.User, "guess " + i);
            Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        }
        using var limited = await AdminTestSupport.PostLoginAsync(client, AdminTestSupport.User, AdminTestSupport.Password);

        Assert.Equal((HttpStatusCode)429, limited.StatusCode);
        Assert.NotNull(limited.Headers.RetryAfter);
        using var dashboard = await client.GetAsync("/admin");
        Assert.Equal(HttpStatusCode.Redirect, dashboard.StatusCode);
    }

    [Fact]
    public void The_per_user_name_limit_counts_per_client_address()
    {
        var throttle = new LoginThrottle(TimeProvider.System);
        for (var i = 0; i < LoginThrottle.PerMinute; i++) Assert.Null(throttle.Attempt("192.0.2.1", i % 2 == 0 ? "Editor" : "editor"));
        Assert.NotNull(throttle.Attempt("192.0.2.1", "editor"));
        Assert.Null(throttle.Attempt("192.0.2.1", "someone-else"));
        // Guesses from one address never lock the name out elsewhere.
        Assert.Null(throttle.Attempt("192.0.2.99", "editor"));
    }

    [Fact]
    public async Task A_post_without_the_antiforgery_token_is_refused_and_changes_nothing()
    {
        using var service = await AdminTestSupport.CreateServiceAsync();
        using var client = await AdminTestSupport.SignedInClientAsync(service);
        await AdminTestSupport.SeedAsync(service.DataSource);
        var before = await AdminTestSupport.FingerprintAsync(service.DataSource);

        using var erase = await client.PostAsync("/admin/subscribers/1/erase", AdminTestSupport.Form(("confirm", "yes")));
        using var retry = await client.PostAsync("/admin/editions/1/retry-failed", AdminTestSupport.Form(("__csrf", "forged")));
        using var sendNow = await client.PostAsync("/admin/preview/send", AdminTestSupport.Form(("confirm", "yes")));

        foreach (var r in new[] { erase, retry, sendNow })
        {
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
            Assert.Contains("security token", await r.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        Assert.Equal(before, await AdminTestSupport.FingerprintAsync(service.DataSource));

        // The same post with the page's token goes through: the refusal above was the token's doing.
        var page = await client.GetStringAsync("/admin/subscribers/1/erase");
        using var ok = await client.PostAsync("/admin/subscribers/1/erase",
            AdminTestSupport.Form(("__csrf", AdminTestSupport.CsrfToken(page)), ("confirm", "yes")));
        Assert.Equal(HttpStatusCode.SeeOther, ok.StatusCode);
        await using var c = await service.DataSource.OpenConnectionAsync();
        Assert.Equal("erased", await c.ExecuteScalarAsync<string>("select status from subscribers where id = 1"));
    }

    [Fact]
    public async Task An_oversized_form_is_refused_before_it_is_read()
    {
        using var service = await AdminTestSupport.CreateServiceAsync();
        using var client = await AdminTestSupport.SignedInClientAsync(service);
        var form = new MultipartFormDataContent { { new ByteArrayContent(new byte[7 * 1024 * 1024]), "files", "huge.json" } };

        using var response = await client.PostAsync("/admin/comparisons/import", form);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        await using var c = await service.DataSource.OpenConnectionAsync();
        Assert.Equal(0L, await c.ExecuteScalarAsync<long>("select count(*) from comparisons"));
    }

    [Fact]
    public async Task An_expired_session_cookie_sends_the_browser_back_to_the_login_form()
    {
        using var service = await AdminTestSupport.CreateServiceAsync();
        using var client = service.CreateClient(new WebApplicationFactoryClientOptions
        {
            AllowAutoRedirect = false, HandleCookies = false, BaseAddress = new Uri("https://news.example.com"),
        });
        var format = service.Services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(AdminSecurity.Scheme).TicketDataFormat;
        string Cookie(DateTimeOffset issued, DateTimeOffset expires)
        {
            var principal = AdminSessions.Principal(service.Services.GetRequiredService<IOptions<AdminOptions>>().Value.Users[0]);
            var ticket = new AuthenticationTicket(principal, new AuthenticationProperties { IssuedUtc = issued, ExpiresUtc = expires }, AdminSecurity.Scheme);
            return AdminSecurity.CookieName + "=" + format.Protect(ticket);
        }
        var now = DateTimeOffset.UtcNow;

        using var fresh = new HttpRequestMessage(HttpMethod.Get, "/admin");
        fresh.Headers.Add("Cookie", Cookie(now.AddMinutes(-5), now.AddHours(8)));
        using var freshResponse = await client.SendAsync(fresh);
        using var expired = new HttpRequestMessage(HttpMethod.Get, "/admin");
        expired.Headers.Add("Cookie", Cookie(now.AddHours(-9), now.AddHours(-1)));
        using var expiredResponse = await client.SendAsync(expired);

        Assert.Equal(HttpStatusCode.OK, freshResponse.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, expiredResponse.StatusCode);
        Assert.StartsWith("/admin/login", expiredResponse.Headers.Location?.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Api_calls_without_a_key_or_with_a_wrong_key_are_refused_and_change_nothing()
    {
        using var service = await AdminTestSupport.CreateServiceAsync();
        using var client = service.CreateAnonymousClient();
        await AdminTestSupport.SeedAsync(service.DataSource);
        var before = await AdminTestSupport.FingerprintAsync(service.DataSource);

        using var none = await client.PostAsync("/api/editions/send-now", null);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/editions/1/retry-failed");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "wrong-" + ServiceFactory.ApiKey);
        using var wrong = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(before, await AdminTestSupport.FingerprintAsync(service.DataSource));
    }

    [Theory]
    [InlineData("/admin/editions/3", "/admin/editions/3")]
    [InlineData("https://evil.example/admin", "/admin")]
    [InlineData("//evil.example/admin", "/admin")]
    [InlineData("/admin//evil.example", "/admin")]
    [InlineData("/admin\\..\\x", "/admin")]
    [InlineData("/api/editions", "/admin")]
    [InlineData(null, "/admin")]
    public void The_return_address_after_sign_in_is_only_ever_a_local_admin_path(string? given, string expected)
        => Assert.Equal(expected, AdminLoginEndpoints.SafeReturn(given));
}
