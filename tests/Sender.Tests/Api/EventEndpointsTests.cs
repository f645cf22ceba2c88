using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Newsletter.Sender.Tests.Infrastructure;
using static Newsletter.Sender.Tests.Infrastructure.SubscriberTestData;
using static Newsletter.TestSupport.SubscriberRows;

namespace Newsletter.Sender.Tests.Api;

/// <summary>POST /api/events: the generic shape and SES notifications in SNS envelopes.</summary>
public sealed class EventEndpointsTests
{
    [Fact]
    public async Task A_generic_hard_bounce_and_a_complaint_change_the_statuses_and_record_the_cause()
    {
        using var service = await ServiceFactory.CreateAsync();
        await InsertAsync(service, "hard@example.com");
        await InsertAsync(service, "angry@example.com");
        using var api = service.CreateApiClient();

        using var response = await api.PostAsync("/api/events", Json(
            """
            [{"type":"bounce","email":"Hard@Example.com","bounceType":"hard","reason":"550 5.1.1 no such user","occurredAt":"2026-11-20T10:00:00Z"},
             {"type":"complaint","email":"angry@example.com","reason":"abuse report"}]
            """));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2, body.GetProperty("applied").GetInt32());
        Assert.Equal("bounced", await StatusAsync(service, "hard@example.com"));
        Assert.Equal("complained", await StatusAsync(service, "angry@example.com"));
        Assert.Equal(1L, await CountAsync(service, "subscriber_events", "to_status = 'bounced' and detail like '%550 5.1.1 no such user%'"));
        Assert.Equal(1L, await CountAsync(service, "subscriber_events", "to_status = 'complained' and cause = 'complaint' and detail like '%abuse report%'"));
    }

    [Fact]
    public async Task Ses_bounce_and_complaint_notifications_in_sns_envelopes_are_applied()
    {
        using var service = await ServiceFactory.CreateAsync();
        await InsertAsync(service, "ses-hard@example.com");
        await InsertAsync(service, "ses-soft@example.com");
        await InsertAsync(service, "ses-complaint@example.com");
        using var api = service.CreateApiClient();

        using var bounce = await api.PostAsync("/api/events", Sns(
            """
            {"notificationType":"Bounce","bounce":{"bounceType":"Permanent","bounceSubType":"General","timestamp":"2026-11-20T10:00:00.000Z",
             "bouncedRecipients":[{"emailAddress":"ses-hard@example.com","diagnosticCode":"smtp; 550 5.1.1 user unknown"}]},
             "mail":{"messageId":"abc"}}
            """));
        using var transient = await api.PostAsync("/api/events", Sns(
            """
            {"notificationType":"Bounce","bounce":{"bounceType":"Transient","bouncedRecipients":[{"emailAddress":"ses-soft@example.com"}]}}
            """));
        using var complaint = await api.PostAsync("/api/events", Sns(
            """
            {"notificationType":"Complaint","complaint":{"complaintFeedbackType":"abuse","complainedRecipients":[{"emailAddress":"ses-complaint@example.com"}]}}
            """));

        Assert.Equal(HttpStatusCode.OK, bounce.StatusCode);
        Assert.Equal(HttpStatusCode.OK, transient.StatusCode);
        Assert.Equal(HttpStatusCode.OK, complaint.StatusCode);
        Assert.Equal("bounced", await StatusAsync(service, "ses-hard@example.com"));
        Assert.Equal("confirmed", await StatusAsync(service, "ses-soft@example.com"));
        Assert.Equal(1, await ScalarAsync<int>(service, "select soft_bounces from subscribers where email_key = 'ses-soft@example.com'"));
        Assert.Equal("complained", await StatusAsync(service, "ses-complaint@example.com"));
        Assert.Equal(1L, await CountAsync(service, "subscriber_events", "to_status = 'bounced' and detail like '%550 5.1.1 user unknown%'"));
    }

    [Fact]
    public async Task An_sns_subscription_confirmation_is_recorded_and_answered_200_without_fetching_anything()
    {
        using var service = await ServiceFactory.CreateAsync();
        using var api = service.CreateApiClient();

        using var response = await api.PostAsync("/api/events", new StringContent(
            """
            {"Type":"SubscriptionConfirmation","MessageId":"m-1","TopicArn":"arn:aws:sns:eu-west-1:123:ses-events",
             "SubscribeURL":"https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&Token=x","Token":"x"}
            """, Encoding.UTF8, "text/plain"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1L, await CountAsync(service, "sns_subscriptions", "topic_arn = 'arn:aws:sns:eu-west-1:123:ses-events' and subscribe_url like 'https://sns.%'"));
    }

    [Fact]
    public async Task A_complained_address_is_not_reactivated_by_a_new_signup_and_gets_no_mail()
    {
        using var service = await ServiceFactory.CreateAsync();
        await InsertAsync(service, "never-again@example.com");
        using var api = service.CreateApiClient();
        using (var response = await api.PostAsync("/api/events", Json("""{"type":"complaint","email":"never-again@example.com"}""")))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        using var anonymous = service.CreateAnonymousClient();

        using var signup = await anonymous.PostAsJsonAsync("/subscribe", new { email = "never-again@example.com" });

        Assert.Equal(HttpStatusCode.Accepted, signup.StatusCode);
        Assert.Equal("complained", await StatusAsync(service, "never-again@example.com"));
        Assert.Equal(0L, await CountAsync(service, "outbox"));
    }

    [Fact]
    public async Task An_ses_recipient_address_that_does_not_parse_counts_as_unknown_instead_of_failing_the_notification()
    {
        using var service = await ServiceFactory.CreateAsync();
        await InsertAsync(service, "real@example.com");
        using var api = service.CreateApiClient();

        using var response = await api.PostAsync("/api/events", Sns(
            """
            {"notificationType":"Bounce","bounce":{"bounceType":"Permanent",
             "bouncedRecipients":[{"emailAddress":"not an address"},{"emailAddress":"Real Reader <REAL@example.com>"}]}}
            """));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((1, 1), (body.GetProperty("unknown").GetInt32(), body.GetProperty("applied").GetInt32()));
        Assert.Equal("bounced", await StatusAsync(service, "real@example.com"));
    }

    [Fact]
    public async Task Unknown_addresses_are_accepted_and_counted_but_change_nothing()
    {
        using var service = await ServiceFactory.CreateAsync();
        using var api = service.CreateApiClient();

        using var response = await api.PostAsync("/api/events", Json("""{"type":"bounce","email":"stranger@example.com","bounceType":"hard"}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, body.GetProperty("unknown").GetInt32());
        Assert.Equal(0L, await CountAsync(service, "subscribers"));
    }

    [Theory]
    [InlineData("""{"email":"a@example.com","bounceType":"hard"}""", "$.type")]
    [InlineData("""{"type":"bounce","email":"a@example.com"}""", "$.bounceType")]
    [InlineData("""{"type":"bounce","email":"a@example.com","bounceType":"medium"}""", "$.bounceType")]
    [InlineData("""{"type":"bounce","email":"not an address","bounceType":"hard"}""", "$.email")]
    [InlineData("""[{"type":"complaint","email":"a@example.com"},{"type":"complaint"}]""", "$[1].email")]
    [InlineData("""{"type":"complaint","email":"a@example.com","occurredAt":"yesterday"}""", "$.occurredAt")]
    [InlineData("""{"type":"complaint","email":42}""", "$.email")]
    [InlineData("""{"Type":"Notification","Message":"not json"}""", "$.Message")]
    [InlineData("""{"Type":"Notification","Message":"{\"notificationType\":\"Bounce\",\"bounce\":{\"bounceType\":\"Permanent\"}}"}""", "$.Message.bounce.bouncedRecipients")]
    [InlineData("""{"type":"bounce",""", "$")]
    [InlineData("""42""", "$")]
    public async Task A_malformed_event_gets_400_problem_naming_the_field_and_nothing_changes(string body, string field)
    {
        using var service = await ServiceFactory.CreateAsync();
        await InsertAsync(service, "a@example.com");
        using var api = service.CreateApiClient();

        using var response = await api.PostAsync("/api/events", Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), await response.Content.ReadAsStringAsync());
        Assert.Equal("confirmed", await StatusAsync(service, "a@example.com"));
        Assert.Equal(0L, await CountAsync(service, "subscriber_events"));
    }

    [Fact]
    public async Task Events_without_the_api_key_are_refused()
    {
        using var service = await ServiceFactory.CreateAsync();
        await InsertAsync(service, "a@example.com");
        using var anonymous = service.CreateAnonymousClient();

        using var response = await anonymous.PostAsync("/api/events", Json("""{"type":"complaint","email":"a@example.com"}"""));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("confirmed", await StatusAsync(service, "a@example.com"));
    }

    private static StringContent Sns(string sesMessage)
        => new(JsonSerializer.Serialize(new { Type = "Notification", MessageId = "m", TopicArn = "arn:aws:sns:eu-west-1:123:ses", Message = sesMessage }),
            Encoding.UTF8, "text/plain");
}
