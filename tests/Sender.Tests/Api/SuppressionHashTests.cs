using System.Net;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Newsletter.Sender.Tests.Infrastructure;
using Newsletter.Subscribers;
using static Newsletter.TestSupport.SubscriberRows;

namespace Newsletter.Sender.Tests.Api;

/// <summary>The suppression list keeps keyed hashes only: nobody without Subscribers__SuppressionKey can test an address against it.</summary>
public sealed class SuppressionHashTests
{
    private static byte[] Sha256(string address) => SHA256.HashData(Encoding.UTF8.GetBytes(address));

    private static byte[] Keyed(string address) => HMACSHA256.HashData(Encoding.UTF8.GetBytes(ServiceFactory.SuppressionKey), Sha256(address));

    [Fact]
    public async Task An_erased_address_leaves_a_keyed_hash_not_its_plain_sha256()
    {
        using var service = await ServiceFactory.CreateAsync();
        await InsertAsync(service, "forget.me@example.com");
        using var api = service.CreateApiClient();

        using var erase = await api.DeleteAsync("/api/subscribers/forget.me@example.com");

        Assert.Equal(HttpStatusCode.OK, erase.StatusCode);
        await using var c = await service.DataSource.OpenConnectionAsync();
        var row = await c.QuerySingleAsync<(byte[] Hash, bool Keyed)>("select email_hash, keyed from suppressions");
        Assert.True(row.Keyed);
        Assert.NotEqual(Sha256("forget.me@example.com"), row.Hash);
        Assert.Equal(Keyed("forget.me@example.com"), row.Hash);
    }

    [Fact]
    public async Task Unkeyed_rows_from_before_are_converted_at_start_and_still_refuse_a_reimport()
    {
        using var service = await ServiceFactory.CreateAsync();
        await using (var c = await service.DataSource.OpenConnectionAsync())
        {
            // As written before the key existed (and by an old instance during a rolling update): the plain SHA-256.
            await c.ExecuteAsync("insert into suppressions (email_hash, reason) values (@a, 'erased'), (@b, 'erased')",
                new { a = Sha256("old.one@example.com"), b = Sha256("old.two@example.com") });
        }

        using var client = service.CreateAnonymousClient(); // starts the service
        await using (var c = await service.DataSource.OpenConnectionAsync())
        {
            var rows = (await c.QueryAsync<(byte[] Hash, bool Keyed)>("select email_hash, keyed from suppressions")).ToList();
            Assert.Equal(2, rows.Count);
            Assert.All(rows, r => Assert.True(r.Keyed));
            Assert.Contains(rows, r => r.Hash.SequenceEqual(Keyed("old.one@example.com")));
            Assert.DoesNotContain(rows, r => r.Hash.SequenceEqual(Sha256("old.one@example.com")));
        }
        var result = await service.Services.GetRequiredService<SubscriberImporter>().ImportAsync(
            new StringReader("email,consented_at,consent_source\nold.one@example.com,2025-01-01,crm\nnew.one@example.com,2025-01-01,crm\n"), CancellationToken.None);
        Assert.Equal((1, 1), (result.Created, result.Suppressed));
        Assert.Null(await StatusAsync(service, "old.one@example.com"));
    }
}
