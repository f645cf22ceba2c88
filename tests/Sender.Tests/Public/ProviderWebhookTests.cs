using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Newsletter.Sender.Tests.Infrastructure;
using static Newsletter.TestSupport.SubscriberRows;

namespace Newsletter.Sender.Tests.Public;

/// <summary>
/// The SendGrid, Postmark and Mailgun webhooks: a sample signed as each provider signs is applied; a tampered one is
/// answered 401 and changes nothing. One service for the class: each test uses addresses of its own.
/// </summary>
public sealed class ProviderWebhookTests : IClassFixture<ProviderWebhookTests.Service>, IDisposable
{
    private const string MailgunKey = "key-mailgun-signing-0123456789abcdef";
    private const string PostmarkUser = "postmark";
    private const string PostmarkPassword = "postmark-webhook-secret-0123456789";

    private readonly Service fixture;
    private readonly HttpClient client;

    public ProviderWebhookTests(Service fixture)
    {
        this.fixture = fixture;
        client = fixture.Factory.CreateAnonymousClient();
    }

    public void Dispose() => client.Dispose();

    /// <summary>The service with all three providers configured, and SendGrid's key pair (SendGrid keeps the private half).</summary>
    public sealed class Service : IAsyncLifetime
    {
        public ECDsa SendGridKey { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        public ServiceFactory Factory { get; private set; } = null!;

        public async Task InitializeAsync() => Factory = await ServiceFactory.CreateAsync(new Dictionary<string, string?>
        {
            ["Webhooks:SendGridPublicKey"] = Convert.ToBase64String(SendGridKey.ExportSubjectPublicKeyInfo()),
            ["Webhooks:PostmarkUsername"] = PostmarkUser,
            ["Webhooks:PostmarkPassword"] = PostmarkPassword,
            ["Webhooks:MailgunSigningKey"] = MailgunKey,
        });

        public Task DisposeAsync()
        {
            Factory.Dispose();
            SendGridKey.Dispose();
            return Task.CompletedTask;
        }
    }

    private HttpRequestMessage SendGrid(string body, Func<string, string>? tamper = null, DateTimeOffset? at = null)
    {
        var timestamp = (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signature = fixture.SendGridKey.SignData(Encoding.UTF8.GetBytes(timestamp + body), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/sendgrid") { Content = new StringContent(tamper?.Invoke(body) ?? body, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Twilio-Email-Event-Webhook-Signature", Convert.ToBase64String(signature));
        request.Headers.Add("X-Twilio-Email-Event-Webhook-Timestamp", timestamp);
        return request;
    }

    private static string Mailgun(string eventData, string key = MailgunKey, DateTimeOffset? at = null)
    {
        var timestamp = (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(25));
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(timestamp + token)));
        return $$"""{"signature":{"timestamp":"{{timestamp}}","token":"{{token}}","signature":"{{signature}}"},"event-data":{{eventData}}}""";
    }

    private static HttpRequestMessage Postmark(string body, string password = PostmarkPassword) => new(HttpMethod.Post, "/webhooks/postmark")
    {
        Content = new StringContent(body, Encoding.UTF8, "application/json"),
        Headers = { Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(PostmarkUser + ":" + password))) },
    };

    [Fact]
    public async Task A_signed_sendgrid_batch_is_applied_and_a_tampered_one_is_refused_with_401()
    {
        await InsertAsync(fixture.Factory, "sg-hard@example.com");
        await InsertAsync(fixture.Factory, "sg-spam@example.com");
        await InsertAsync(fixture.Factory, "sg-victim@example.com");
        var body = """
            [{"email":"sg-hard@example.com","timestamp":1764666000,"event":"bounce","type":"bounce","status":"5.1.1","reason":"550 5.1.1 The email account that you tried to reach does not exist","sg_event_id":"e1","sg_message_id":"m1"},
             {"email":"sg-spam@example.com","timestamp":1764666001,"event":"spamreport","sg_event_id":"e2","sg_message_id":"m2"},
             {"email":"sg-hard@example.com","timestamp":1764666002,"event":"delivered","sg_event_id":"e3"}]
            """;

        using var tampered = await client.SendAsync(SendGrid(body, b => b.Replace("sg-hard@", "sg-victim@", StringComparison.Ordinal)));
        using var unsigned = await client.PostAsync("/webhooks/sendgrid", new StringContent(body, Encoding.UTF8, "application/json"));
        using var replayed = await client.SendAsync(SendGrid(body, at: DateTimeOffset.UtcNow.AddDays(-3)));
        Assert.Equal(HttpStatusCode.Unauthorized, tampered.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, replayed.StatusCode);
        Assert.Equal("confirmed", await StatusAsync(fixture.Factory, "sg-victim@example.com"));
        Assert.Equal("confirmed", await StatusAsync(fixture.Factory, "sg-hard@example.com"));

        using var response = await client.SendAsync(SendGrid(body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2, result.GetProperty("applied").GetInt32());
        Assert.Contains("delivered", result.GetProperty("note").GetString());
        Assert.Equal("bounced", await StatusAsync(fixture.Factory, "sg-hard@example.com"));
        Assert.Equal("complained", await StatusAsync(fixture.Factory, "sg-spam@example.com"));
        Assert.Equal(1L, await CountAsync(fixture.Factory, "bounces", "source = 'webhook' and kind = 'hard' and detail like 'sendgrid%5.1.1%'"));
    }

    [Fact]
    public async Task Postmark_bounce_and_spam_complaint_webhooks_are_applied_with_the_right_credentials_only()
    {
        await InsertAsync(fixture.Factory, "pm-hard@example.com");
        await InsertAsync(fixture.Factory, "pm-spam@example.com");
        const string bounce = """
            {"RecordType":"Bounce","ID":4323372036854775807,"Type":"HardBounce","TypeCode":1,"Name":"Hard bounce","MessageID":"883953f4-6105-42a2-a16a-77a8eac79483",
             "Description":"The server was unable to deliver your message (ex: unknown user, mailbox not found).","Details":"smtp;550 5.1.1 The email account that you tried to reach does not exist.",
             "Email":"pm-hard@example.com","From":"verdicts@news.example.com","BouncedAt":"2026-12-02T09:00:00Z","Inactive":true,"CanActivate":true,"Subject":"This week"}
            """;
        const string complaint = """
            {"RecordType":"SpamComplaint","ID":42,"Type":"SpamComplaint","TypeCode":512,"Name":"Spam complaint","MessageID":"00000000-0000-0000-0000-000000000000",
             "Description":"","Details":"Test spam complaint details","Email":"pm-spam@example.com","From":"verdicts@news.example.com","BouncedAt":"2026-12-02T09:05:00Z"}
            """;

        using var wrong = await client.SendAsync(Postmark(bounce, password: "guessed-password"));
        using var none = await client.PostAsync("/webhooks/postmark", new StringContent(bounce, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal("confirmed", await StatusAsync(fixture.Factory, "pm-hard@example.com"));

        using var applied = await client.SendAsync(Postmark(bounce));
        using var complained = await client.SendAsync(Postmark(complaint));

        Assert.Equal(HttpStatusCode.OK, applied.StatusCode);
        Assert.Equal(HttpStatusCode.OK, complained.StatusCode);
        Assert.Equal("bounced", await StatusAsync(fixture.Factory, "pm-hard@example.com"));
        Assert.Equal("complained", await StatusAsync(fixture.Factory, "pm-spam@example.com"));
    }

    [Fact]
    public async Task A_signed_mailgun_event_is_applied_and_a_forged_or_stale_signature_is_refused_with_401()
    {
        await InsertAsync(fixture.Factory, "mg-hard@example.com");
        await InsertAsync(fixture.Factory, "mg-spam@example.com");
        const string failed = """
            {"event":"failed","severity":"permanent","reason":"bounce","recipient":"mg-hard@example.com","timestamp":1764666000.123,"id":"G9Bn5sl1TC6nu79C8C0bwg",
             "delivery-status":{"code":550,"message":"5.1.1 The email account that you tried to reach does not exist.","description":"","attempt-no":1}}
            """;

        using var forged = await client.PostAsync("/webhooks/mailgun", Json(Mailgun(failed, key: "not-the-signing-key")));
        using var stale = await client.PostAsync("/webhooks/mailgun", Json(Mailgun(failed, at: DateTimeOffset.UtcNow.AddDays(-2))));
        using var swapped = await client.PostAsync("/webhooks/mailgun", Json(Mailgun(failed).Replace("mg-hard@", "mg-spam@", StringComparison.Ordinal)
            .Replace("\"signature\":\"", "\"signature\":\"0", StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, stale.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, swapped.StatusCode);
        Assert.Equal("confirmed", await StatusAsync(fixture.Factory, "mg-hard@example.com"));

        using var applied = await client.PostAsync("/webhooks/mailgun", Json(Mailgun(failed)));
        using var complained = await client.PostAsync("/webhooks/mailgun", Json(Mailgun("""{"event":"complained","recipient":"mg-spam@example.com","timestamp":1764666100.5}""")));

        Assert.Equal(HttpStatusCode.OK, applied.StatusCode);
        Assert.Equal(HttpStatusCode.OK, complained.StatusCode);
        Assert.Equal("bounced", await StatusAsync(fixture.Factory, "mg-hard@example.com"));
        Assert.Equal("complained", await StatusAsync(fixture.Factory, "mg-spam@example.com"));
        Assert.Equal(1L, await CountAsync(fixture.Factory, "subscriber_events", "to_status = 'bounced' and detail like 'mailgun%550 5.1.1%'"));
    }

    [Fact]
    public async Task A_provider_without_settings_has_no_webhook()
    {
        using var service = await ServiceFactory.CreateAsync();
        using var anonymous = service.CreateAnonymousClient();

        using var response = await anonymous.PostAsync("/webhooks/mailgun", Json(Mailgun("""{"event":"complained","recipient":"x@example.com"}""")));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");
}
