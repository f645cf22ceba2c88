using System.Net;
using Newsletter.Sender.Admin;
using Newsletter.Sender.Tests.Infrastructure;

namespace Newsletter.Sender.Tests.Public;

public sealed class PublicHeadersTests
{
    [Theory]
    [InlineData("GET", "/", "'self' https://compare.example.com", "strict-origin-when-cross-origin")]
    [InlineData("GET", "/subscribe", "'self' https://compare.example.com", "strict-origin-when-cross-origin")]
    [InlineData("POST", "/subscribe", "'self' https://compare.example.com", "strict-origin-when-cross-origin")]
    [InlineData("GET", "/confirm/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "'none'", "no-referrer")]
    [InlineData("POST", "/confirm/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "'none'", "no-referrer")]
    [InlineData("GET", "/unsubscribe/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "'none'", "no-referrer")]
    [InlineData("GET", "/archive", "'none'", "strict-origin-when-cross-origin")]
    [InlineData("GET", "/archive/12345", "'none'", "strict-origin-when-cross-origin")]
    public async Task Public_pages_send_a_csp_nosniff_and_a_referrer_policy_and_only_the_signup_page_may_be_framed_by_the_comparison_site(
        string method, string path, string frameAncestors, string referrerPolicy)
    {
        using var service = await ServiceFactory.CreateAsync();
        using var client = service.CreateAnonymousClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST") request.Content = new FormUrlEncodedContent([new("email", "headers@example.com")]);

        using var response = await client.SendAsync(request);

        Assert.True(response.Content.Headers.ContentType?.MediaType == "text/html", $"{path}: {response.StatusCode} {response.Content.Headers.ContentType}");
        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("default-src 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("base-uri 'none'", csp, StringComparison.Ordinal);
        Assert.EndsWith("frame-ancestors " + frameAncestors, csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal(referrerPolicy, Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        Assert.Equal(frameAncestors == "'none'", response.Headers.Contains("X-Frame-Options"));
    }

    [Fact]
    public async Task The_admin_console_keeps_its_own_headers()
    {
        using var service = await ServiceFactory.CreateAsync();
        using var client = service.CreateAnonymousClient();

        using var response = await client.GetAsync("/admin/login");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(AdminSecurity.PageCsp, Assert.Single(response.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
    }
}
