using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Newsletter.Sender.Tests.Infrastructure;
using static Newsletter.Sender.Tests.Infrastructure.SubscriberTestData;
using static Newsletter.TestSupport.SubscriberRows;

namespace Newsletter.Sender.Tests.Public;

/// <summary>Floods and hostile input against the signup endpoint, through the real pipeline.</summary>
public sealed class AbuseTests
{
    private const string ClientIpHeader = "X-Test-Client-IP";

    [Fact]
    public async Task Ten_thousand_signups_from_one_ip_and_a_thousand_for_one_address_store_only_the_allowed_rows_and_mails_and_answer_429_otherwise()
    {
        using var service = await ServiceFactory.CreateAsync();
        // TestServer requests have no remote address; this host sets it from a test header, as Kestrel would from the socket.
        // The rate limiter's one-minute window is held still, so the flood cannot straddle two windows however slow the machine.
        using var host = service.WithWebHostBuilder(b => b.ConfigureServices(s => s
            .AddSingleton<IStartupFilter>(new ClientIpStartupFilter())
            .AddSingleton<TimeProvider>(new HeldClock())));
        using var client = host.CreateClient(new() { BaseAddress = new Uri("https://news.example.com"), AllowAutoRedirect = false });

        var fromOneIp = await SendAllAsync(10_000, 200, i => Signup(client, $"reader{i}@example.com", "198.51.100.7"));
        var forOneAddress = await SendAllAsync(1_000, 16, i => Signup(client, "target@example.com", $"10.{i / 250}.{i % 250}.1"));

        Assert.Equal(20, fromOneIp.Count(s => s == HttpStatusCode.Accepted));
        Assert.Equal(9_980, fromOneIp.Count(s => s == HttpStatusCode.TooManyRequests));
        Assert.Equal(3, forOneAddress.Count(s => s == HttpStatusCode.Accepted));
        Assert.Equal(997, forOneAddress.Count(s => s == HttpStatusCode.TooManyRequests));
        Assert.Equal(21L, await CountAsync(service, "subscribers"));
        Assert.Equal(23L, await CountAsync(service, "outbox", "kind = 'confirmation'"));
        Assert.Equal(23L, await CountAsync(service, "signup_attempts"));
        Assert.Equal(23, (await service.WaitForMailAsync(23, TimeSpan.FromSeconds(60))).Count);
        await SubscriberTestData.WaitForOutboxDrainedAsync(service);
        Assert.Equal(23, service.OutboxFiles().Count);
    }

    private static async Task<HttpStatusCode> Signup(HttpClient client, string email, string ip)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/subscribe")
        {
            Content = new FormUrlEncodedContent([new KeyValuePair<string, string>("email", email)]),
        };
        request.Headers.Add(ClientIpHeader, ip);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    private static async Task<List<HttpStatusCode>> SendAllAsync(int count, int parallel, Func<int, Task<HttpStatusCode>> send)
    {
        var results = new HttpStatusCode[count];
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (i, _) => results[i] = await send(i));
        return [.. results];
    }

    public static TheoryData<string> HostileAddresses => new()
    {
        "' OR 1=1; --@example.com",
        "a@example.com'); delete from subscribers; --",
        "<script>alert(1)</script>",
        "a@b.com\r\nBcc: victim@example.com",
        "a@b.com\nSubject: hi",
        "a@b.com%0d%0aBcc:x@y.com",
        "a\u0000b@example.com",
        new string('a', 10_240) + "@example.com",
        "user@" + new string('d', 10_240) + ".com",
        "a@b.com, c@d.com",
        "\"Eve\" <eve@example.com>",
    };

    [Theory]
    [MemberData(nameof(HostileAddresses))]
    public async Task Hostile_addresses_in_a_form_or_json_get_400_and_store_nothing_and_send_nothing(string email)
    {
        using var service = await ServiceFactory.CreateAsync();
        using var client = service.CreateAnonymousClient();

        using var form = await client.PostAsync("/subscribe", new FormUrlEncodedContent([new KeyValuePair<string, string>("email", email)]));
        using var json = await client.PostAsJsonAsync("/subscribe", new { email });

        Assert.Equal(HttpStatusCode.BadRequest, form.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, json.StatusCode);
        Assert.DoesNotContain("<script>alert", await form.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await AssertNothingStoredAsync(service);
    }

    public static TheoryData<string, byte[]> HostileBodies => new()
    {
        { "application/x-www-form-urlencoded", [.. "email="u8, 0xC3, 0x28, .. "@example.com"u8] },
        { "application/x-www-form-urlencoded", [.. "email=a"u8, 0xFF, 0xFE, .. "b@example.com"u8] },
        { "application/x-www-form-urlencoded", [.. "email=%C3%28x@example.com"u8] },
        { "application/json", [.. "{\"email\":\"a"u8, 0xC3, 0x28, .. "@example.com\"}"u8] },
        { "application/json", [.. "{\"email\":\"a"u8, 0xED, 0xA0, 0x80, .. "@example.com\"}"u8] },
        { "application/json", "{\"email\":42}"u8.ToArray() },
        { "application/json", "{\"email\":[\"a@example.com\",\"b@example.com\"]}"u8.ToArray() },
        { "application/json", "{\"email\":\"a@example.com\""u8.ToArray() },
        { "application/json", Encoding.UTF8.GetBytes("{\"email\":\"" + new string('x', 10_240) + "@example.com\"}") },
        { "application/x-www-form-urlencoded", Encoding.UTF8.GetBytes("email=a%40example.com&source=" + new string('s', 20_000)) },
        { "text/plain", "a@example.com"u8.ToArray() },
    };

    [Theory]
    [MemberData(nameof(HostileBodies))]
    public async Task Malformed_bodies_and_invalid_utf8_get_a_clean_4xx_and_store_nothing_and_send_nothing(string contentType, byte[] body)
    {
        using var service = await ServiceFactory.CreateAsync();
        using var client = service.CreateAnonymousClient();
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);

        using var response = await client.PostAsync("/subscribe", content);

        Assert.InRange((int)response.StatusCode, 400, 499);
        await AssertNothingStoredAsync(service);
    }

    private static async Task AssertNothingStoredAsync(ServiceFactory service)
    {
        Assert.Equal(0L, await CountAsync(service, "subscribers"));
        Assert.Equal(0L, await CountAsync(service, "consents"));
        Assert.Equal(0L, await CountAsync(service, "outbox"));
        await SubscriberTestData.WaitForOutboxDrainedAsync(service);
        Assert.Empty(service.OutboxFiles());
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
