using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Newsletter.Subscribers.Tests.Infrastructure;
using static Newsletter.TestSupport.SubscriberRows;

namespace Newsletter.Subscribers.Tests.Bounces;

/// <summary>The bookkeeping the delivery engine calls in its outcome transaction.</summary>
public sealed class BounceRecorderTests
{
    private static async Task RecordAsync(SubscriberDatabase service, params DeliveryOutcomeForBounce[] outcomes)
    {
        var recorder = service.Services.GetRequiredService<BounceRecorder>();
        await InTransactionAsync(service.DataSource, async (c, tx) =>
        {
            await recorder.RecordAsync(c, tx, outcomes, CancellationToken.None);
            return 0;
        });
    }

    [Fact]
    public async Task A_hard_bounce_makes_a_confirmed_subscriber_bounced_with_the_smtp_reply_as_cause()
    {
        using var service = await SubscriberDatabase.CreateAsync();
        var id = await InsertAsync(service, "gone@example.com");

        await RecordAsync(service, new DeliveryOutcomeForBounce(id, 1, BounceKind.FailedHard, "550 5.1.1 user unknown (after RCPT TO)"));

        Assert.Equal("bounced", await StatusAsync(service, "gone@example.com"));
        Assert.Equal(1L, await CountAsync(service, "subscriber_events",
            "to_status = 'bounced' and cause = 'hard bounce' and detail like '%550 5.1.1 user unknown%'"));
    }

    [Fact]
    public async Task Three_consecutive_soft_bounced_editions_make_a_subscriber_bounced_but_the_same_edition_counts_once()
    {
        using var service = await SubscriberDatabase.CreateAsync();
        var id = await InsertAsync(service, "full@example.com");

        await RecordAsync(service, new DeliveryOutcomeForBounce(id, 1, BounceKind.FailedSoft, "452 4.2.2 mailbox full"));
        await RecordAsync(service, new DeliveryOutcomeForBounce(id, 1, BounceKind.FailedSoft, "452 4.2.2 mailbox full"));
        await RecordAsync(service, new DeliveryOutcomeForBounce(id, 2, BounceKind.FailedSoft, "452 4.2.2 mailbox full"));
        Assert.Equal("confirmed", await StatusAsync(service, "full@example.com"));
        Assert.Equal(2, await ScalarAsync<int>(service, "select soft_bounces from subscribers where id = @id", new { id }));

        await RecordAsync(service, new DeliveryOutcomeForBounce(id, 3, BounceKind.FailedSoft, "452 4.2.2 mailbox full"));

        Assert.Equal("bounced", await StatusAsync(service, "full@example.com"));
        Assert.Equal(1L, await CountAsync(service, "subscriber_events", "to_status = 'bounced' and cause like 'soft bounce limit%' and detail like '%452 4.2.2%'"));
    }

    [Fact]
    public async Task A_delivered_edition_resets_the_soft_bounce_count()
    {
        using var service = await SubscriberDatabase.CreateAsync();
        var id = await InsertAsync(service, "flaky@example.com");
        var other = await InsertAsync(service, "fine@example.com");

        await RecordAsync(service, new DeliveryOutcomeForBounce(id, 1, BounceKind.FailedSoft, "421 try later"));
        await RecordAsync(service, new DeliveryOutcomeForBounce(id, 2, BounceKind.FailedSoft, "421 try later"));
        await RecordAsync(service, new DeliveryOutcomeForBounce(id, 3, BounceKind.Sent, "250 ok"), new DeliveryOutcomeForBounce(other, 3, BounceKind.Sent, "250 ok"));
        await RecordAsync(service, new DeliveryOutcomeForBounce(id, 4, BounceKind.FailedSoft, "421 try later"));
        await RecordAsync(service, new DeliveryOutcomeForBounce(id, 5, BounceKind.FailedSoft, "421 try later"));

        Assert.Equal("confirmed", await StatusAsync(service, "flaky@example.com"));
        Assert.Equal(2, await ScalarAsync<int>(service, "select soft_bounces from subscribers where id = @id", new { id }));
    }

    [Fact]
    public async Task Outcomes_that_are_not_bounces_and_unsubscribed_addresses_change_nothing()
    {
        using var service = await SubscriberDatabase.CreateAsync();
        var id = await InsertAsync(service, "left@example.com", "unsubscribed");

        await RecordAsync(service,
            new DeliveryOutcomeForBounce(id, 1, BounceKind.None, "554 message refused"),
            new DeliveryOutcomeForBounce(id, 1, BounceKind.FailedSoft, "421"),
            new DeliveryOutcomeForBounce(id, 2, BounceKind.FailedSoft, "421"),
            new DeliveryOutcomeForBounce(id, 3, BounceKind.FailedSoft, "421"));

        Assert.Equal("unsubscribed", await StatusAsync(service, "left@example.com"));
        Assert.Equal(0L, await CountAsync(service, "subscriber_events"));
    }

    [Fact]
    public async Task A_bounce_skips_the_pending_deliveries_of_an_edition_that_is_still_sending()
    {
        using var service = await SubscriberDatabase.CreateAsync();
        var id = await InsertAsync(service, "bounce-mid-send@example.com");
        var edition = await InsertEditionAsync(service, "paused");
        await using (var connection = await service.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("insert into deliveries (edition_id, subscriber_id) values (@edition, @id)", new { edition, id });
        }

        await RecordAsync(service, new DeliveryOutcomeForBounce(id, edition - 1, BounceKind.FailedHard, "550 no such user"));

        Assert.Equal("skipped", await ScalarAsync<string>(service, "select state from deliveries where subscriber_id = @id", new { id }));
    }
}
