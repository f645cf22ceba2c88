using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Newsletter.Subscribers.Tests.Infrastructure;
using static Newsletter.TestSupport.SubscriberRows;

namespace Newsletter.Subscribers.Tests.Retention;

/// <summary>Data minimisation: what the hourly purge deletes, and what it keeps.</summary>
public sealed class SubscriberPurgeTests
{
    [Fact]
    public async Task The_purge_deletes_unconfirmed_signups_past_the_retention_and_old_signup_attempts_only()
    {
        using var service = await SubscriberDatabase.CreateAsync();
        var old = await InsertAsync(service, "old.pending@example.com", "pending");
        await InsertAsync(service, "new.pending@example.com", "pending");
        var confirmedOld = await InsertAsync(service, "old.confirmed@example.com");
        await using (var connection = await service.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync(
                """
                update subscribers set created_at = now() - interval '31 days', status_changed_at = now() - interval '31 days' where id in (@old, @confirmedOld);
                insert into signup_attempts (email_hash, at) values ('\x01', now() - interval '3 days'), ('\x02', now() - interval '1 hour');
                """, new { old, confirmedOld });
        }
        var purge = service.Services.GetRequiredService<SubscriberPurge>();

        var (pending, attempts) = await purge.PurgeAsync(CancellationToken.None);

        Assert.Equal((1, 1), (pending, attempts));
        Assert.Null(await StatusAsync(service, "old.pending@example.com"));
        Assert.Equal("pending", await StatusAsync(service, "new.pending@example.com"));
        Assert.Equal("confirmed", await StatusAsync(service, "old.confirmed@example.com"));
    }

    [Fact]
    public async Task Consent_ips_and_user_agents_are_cleared_after_the_retention_and_the_rest_of_the_record_is_kept()
    {
        using var service = await SubscriberDatabase.CreateAsync();
        var old = await InsertAsync(service, "old@example.com");
        var recent = await InsertAsync(service, "recent@example.com");
        await using (var connection = await service.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync(
                """
                insert into consents (subscriber_id, signed_up_at, ip, user_agent, source, consent_version, confirmed_at, confirmed_ip) values
                    (@old, now() - interval '731 days', '192.0.2.1', 'OldBrowser/1', 'signup box', 'v1', now() - interval '730 days', '192.0.2.2'),
                    (@recent, now() - interval '700 days', '198.51.100.1', 'NewBrowser/2', 'signup box', 'v2', now() - interval '699 days', '198.51.100.2');
                """, new { old, recent });
        }

        await service.Services.GetRequiredService<SubscriberPurge>().PurgeAsync(CancellationToken.None);

        await using var c = await service.DataSource.OpenConnectionAsync();
        var rows = (await c.QueryAsync<(long SubscriberId, string? Ip, string? UserAgent, string? ConfirmedIp, string Source, string Version, DateTime? ConfirmedAt)>(
            "select subscriber_id, host(ip), user_agent, host(confirmed_ip), source, consent_version, confirmed_at from consents order by subscriber_id")).ToList();
        Assert.Equal((old, null, null, null, "signup box", "v1"), (rows[0].SubscriberId, rows[0].Ip, rows[0].UserAgent, rows[0].ConfirmedIp, rows[0].Source, rows[0].Version));
        Assert.NotNull(rows[0].ConfirmedAt);
        Assert.Equal((recent, "198.51.100.1", "NewBrowser/2", "198.51.100.2"), (rows[1].SubscriberId, rows[1].Ip, rows[1].UserAgent, rows[1].ConfirmedIp));
    }

    [Fact]
    public async Task A_reply_recorded_after_an_erasure_and_a_late_outbox_mail_are_removed_by_the_purge()
    {
        using var service = await SubscriberDatabase.CreateAsync();
        var id = await InsertAsync(service, "gone@example.com");
        var keep = await InsertAsync(service, "stays@example.com");
        var edition = await InsertEditionAsync(service, "sending");
        await using (var connection = await service.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("insert into deliveries (edition_id, subscriber_id, state) values (@edition, @id, 'sending'), (@edition, @keep, 'sending')",
                new { edition, id, keep });
        }
        Assert.Equal(EraseOutcome.Erased, await service.Services.GetRequiredService<SubscriberAdmin>().EraseAsync(id));
        await using (var connection = await service.DataSource.OpenConnectionAsync())
        {
            // The worker that held the claim records its outcome after the erasure, and a mail was queued in the same race.
            await connection.ExecuteAsync(
                """
                update deliveries set state = 'failed', last_reply = '550 5.1.1 <gone@example.com>: no such user' where subscriber_id = @id;
                update deliveries set state = 'sent', last_reply = '250 2.0.0 Ok' where subscriber_id = @keep;
                insert into outbox (kind, subscriber_id, recipient) values ('goodbye', @id, 'gone@example.com');
                """, new { id, keep });
        }

        await service.Services.GetRequiredService<SubscriberPurge>().PurgeAsync(CancellationToken.None);

        Assert.Equal(0L, await CountAsync(service, "deliveries", "last_reply like '%gone@%'"));
        Assert.Equal(1L, await CountAsync(service, "deliveries", "last_reply = '250 2.0.0 Ok'"));
        Assert.Equal(0L, await CountAsync(service, "outbox", "recipient like '%gone@%'"));
    }
}
