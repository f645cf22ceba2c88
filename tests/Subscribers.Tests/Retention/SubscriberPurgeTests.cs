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
}
