using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Newsletter.Sender.Tests.Infrastructure;
using Newsletter.Subscribers;
using static Newsletter.TestSupport.SubscriberRows;

namespace Newsletter.Sender.Tests.Public;

/// <summary>Every public body is capped at 16 KB however it is framed; unsubscribe checks the token before the body.</summary>
public sealed class BodyLimitTests
{
    private const string ClientIpHeader = "X-Test-Client-IP";
    private const int OverCap = 16 * 1024 + 1;

    public static TheoryData<string, string, bool> Bodies => new()
    {
        // route, content type, whether the body's length is declared (false: chunked, no Content-Length)
        { "/subscribe", "application/json", true },
        { "/subscribe", "application/json", false },
        { "/subscribe", "application/x-www-form-urlencoded", true },
        { "/subscribe", "application/x-www-form-urlencoded", false },
        { "/confirm/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "application/x-www-form-urlencoded", false },
        { "/unsubscribe/VALID", "application/x-www-form-urlencoded", true },
        { "/unsubscribe/VALID", "application/x-www-form-urlencoded", false },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task A_public_body_over_16_kb_gets_413_whatever_its_framing_and_changes_nothing(string route, string contentType, bool declared)
    {
        using var service = await ServiceFactory.CreateAsync();
        var id = await InsertAsync(service, "reader@example.com");
        using var client = service.CreateAnonymousClient();
        var path = route.Replace("VALID", new UnsubscribeTokens([ServiceFactory.UnsubscribeKey]).Create(id), StringComparison.Ordinal);
        var body = contentType == "application/json"
            ? "{\"email\":\"big@example.com\",\"source\":\"" + new string('s', OverCap) + "\"}"
            : "email=big%40example.com&List-Unsubscribe=One-Click&source=" + new string('s', OverCap);

        using var response = await client.PostAsync(path, Content(body, contentType, declared));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(1L, await CountAsync(service, "subscribers"));
        Assert.Equal("confirmed", await StatusAsync(service, "reader@example.com"));
        Assert.Equal(0L, await CountAsync(service, "outbox"));
    }

    [Fact]
    public async Task A_body_just_under_the_cap_is_read_as_usual()
    {
        using var service = await ServiceFactory.CreateAsync();
        using var client = service.CreateAnonymousClient();
        var body = "email=fits%40example.com&source=";
        body += new string('s', 16 * 1024 - body.Length);

        using var response = await client.PostAsync("/subscribe", Content(body, "application/x-www-form-urlencoded", declared: false));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("pending", await StatusAsync(service, "fits@example.com"));
    }

    [Fact]
    public async Task Unsubscribe_checks_the_token_before_reading_the_body()
    {
        using var service = await ServiceFactory.CreateAsync();
        using var client = service.CreateAnonymousClient();
        var forged = new UnsubscribeTokens(["another-key-of-at-least-32-characters-xxxxxxxx"]).Create(1);

        // Over the cap and chunked: reading it would answer 413; the forged token answers first.
        using var response = await client.PostAsync("/unsubscribe/" + forged,
            Content("List-Unsubscribe=One-Click&x=" + new string('x', OverCap), "application/x-www-form-urlencoded", declared: false));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Unsubscribe_posts_are_rate_limited_per_client_ip()
    {
        using var service = await ServiceFactory.CreateAsync(new Dictionary<string, string?> { ["Subscribers:MaxUnsubscribesPerIpPerMinute"] = "5" });
        var id = await InsertAsync(service, "leaver@example.com");
        var token = new UnsubscribeTokens([ServiceFactory.UnsubscribeKey]).Create(id);
        // TestServer requests have no remote address: set it from a header; hold the limiter's window still.
        using var host = service.WithWebHostBuilder(b => b.ConfigureServices(s => s
            .AddSingleton<IStartupFilter>(new ClientIpStartupFilter())
            .AddSingleton<TimeProvider>(new HeldClock())));
        using var client = host.CreateClient(new() { BaseAddress = new Uri("https://news.example.com"), AllowAutoRedirect = false });

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 8; i++) statuses.Add(await PostAsync(client, "/unsubscribe/" + token, "203.0.113.9"));
        var otherIp = await PostAsync(client, "/unsubscribe/" + token, "203.0.113.10");

        Assert.Equal(5, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(3, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        Assert.Equal(HttpStatusCode.OK, otherIp);
        Assert.Equal("unsubscribed", await StatusAsync(service, "leaver@example.com"));
    }

    private static async Task<HttpStatusCode> PostAsync(HttpClient client, string path, string ip)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = Content("List-Unsubscribe=One-Click", "application/x-www-form-urlencoded", true) };
        request.Headers.Add(ClientIpHeader, ip);
        using var response = await client.SendAsync(request);
        if (response.StatusCode == HttpStatusCode.TooManyRequests) Assert.NotNull(response.Headers.RetryAfter);
        return response.StatusCode;
    }

    private static HttpContent Content(string body, string contentType, bool declared)
    {
        HttpContent content = declared ? new ByteArrayContent(Encoding.UTF8.GetBytes(body)) : new UnknownLengthContent(Encoding.UTF8.GetBytes(body));
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return content;
    }

    /// <summary>A body without Content-Length, as a chunked upload arrives.</summary>
    private sealed class UnknownLengthContent(byte[] bytes) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    private sealed class ClientIpStartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                if (IPAddress.TryParse(context.Request.Headers[ClientIpHeader].ToString(), out var ip)) context.Connection.RemoteIpAddress = ip;
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
