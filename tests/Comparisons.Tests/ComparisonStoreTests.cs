using System.Security.Cryptography;
using Newsletter.Comparisons;
using Npgsql;

namespace Newsletter.Comparisons.Tests;

public class ComparisonStoreTests
{
    private static async Task<(NpgsqlDataSource DataSource, ComparisonStore Store)> NewStoreAsync()
    {
        var dataSource = NpgsqlDataSource.Create(await TestDatabases.CreateAsync());
        return (dataSource, new ComparisonStore(dataSource));
    }

    private static async Task<long> CountAsync(NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand("select count(*) from comparisons");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task An_upsert_creates_then_reports_unchanged_then_updated_keeping_the_id()
    {
        var (dataSource, store) = await NewStoreAsync();
        await using var _ = dataSource;
        var original = ComparisonTestData.Sample();

        var created = await store.UpsertAsync(original, CancellationToken.None);
        var again = await store.UpsertAsync(original, CancellationToken.None);
        var changed = original with { Title = "Alpha vs Beta (revised)" };
        var updated = await store.UpsertAsync(changed, CancellationToken.None);

        Assert.Equal(UpsertOutcome.Created, created.Outcome);
        Assert.Equal(UpsertOutcome.Unchanged, again.Outcome);
        Assert.Equal(UpsertOutcome.Updated, updated.Outcome);
        Assert.Equal(created.Id, again.Id);
        Assert.Equal(created.Id, updated.Id);
        Assert.Equal("alpha-vs-beta", updated.Slug);

        var stored = await store.GetAsync("alpha-vs-beta", CancellationToken.None);
        Assert.NotNull(stored);
        Assert.Equal("Alpha vs Beta (revised)", stored.Comparison.Title);
        Assert.Equal(75, stored.Comparison.Tools[0].PanelShipPercent);
        Assert.Null(stored.SentInEditionId);
        Assert.Equal(1, await CountAsync(dataSource));

        await using var command = dataSource.CreateCommand("select title, content_hash from comparisons where slug = 'alpha-vs-beta'");
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal("Alpha vs Beta (revised)", reader.GetString(0));
        Assert.Equal(SHA256.HashData(ComparisonCanonical.ToJson(ComparisonCanonical.Normalize(changed))), reader.GetFieldValue<byte[]>(1));
    }

    [Fact]
    public async Task The_same_instant_in_another_offset_is_unchanged()
    {
        var (dataSource, store) = await NewStoreAsync();
        await using var _ = dataSource;
        var utc = ComparisonTestData.Sample();
        var paris = utc with { PublishedAt = utc.PublishedAt.ToOffset(TimeSpan.FromHours(1)) };

        await store.UpsertAsync(utc, CancellationToken.None);
        var second = await store.UpsertAsync(paris, CancellationToken.None);

        Assert.Equal(UpsertOutcome.Unchanged, second.Outcome);
    }

    [Fact]
    public async Task Concurrent_upserts_of_one_slug_all_succeed_and_leave_one_row()
    {
        var (dataSource, store) = await NewStoreAsync();
        await using var _ = dataSource;
        var sample = ComparisonTestData.Sample();

        var same = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => store.UpsertAsync(sample, CancellationToken.None))));
        var different = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            Task.Run(() => store.UpsertAsync(sample with { Summary = $"version {i}" }, CancellationToken.None))));

        Assert.Single(same, r => r.Outcome == UpsertOutcome.Created);
        Assert.Equal(7, same.Count(r => r.Outcome == UpsertOutcome.Unchanged));
        Assert.Single(same.Concat(different).Select(r => r.Id).Distinct());
        Assert.All(different, r => Assert.Equal(UpsertOutcome.Updated, r.Outcome));
        Assert.Equal(1, await CountAsync(dataSource));
        var stored = await store.GetAsync(sample.Slug, CancellationToken.None);
        Assert.StartsWith("version ", stored!.Comparison.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalid_comparison_stores_nothing()
    {
        var (dataSource, store) = await NewStoreAsync();
        await using var _ = dataSource;
        var sample = ComparisonTestData.Sample();
        var broken = sample with { Tools = [sample.Tools[0], sample.Tools[1] with { Description = "nul \0 inside" }] };

        var e = await Assert.ThrowsAsync<ComparisonValidationException>(() => store.UpsertAsync(broken, CancellationToken.None));

        Assert.Equal("tools[1].description", Assert.Single(e.Errors).Field);
        Assert.Equal(0, await CountAsync(dataSource));
    }

    [Fact]
    public async Task A_failed_update_leaves_the_previous_version_whole()
    {
        var (dataSource, store) = await NewStoreAsync();
        await using var _ = dataSource;
        var sample = ComparisonTestData.Sample();
        await store.UpsertAsync(sample, CancellationToken.None);
        // A trigger that fails after the row is written: the statement's transaction must roll back entirely.
        await using (var trigger = dataSource.CreateCommand(
            """
            create function fail_comparison() returns trigger language plpgsql as $$ begin raise exception 'boom'; end $$;
            create trigger fail_comparison after update on comparisons for each row execute function fail_comparison();
            """))
        {
            await trigger.ExecuteNonQueryAsync();
        }

        await Assert.ThrowsAsync<PostgresException>(() => store.UpsertAsync(sample with { Title = "Changed" }, CancellationToken.None));

        var stored = await store.GetAsync(sample.Slug, CancellationToken.None);
        Assert.Equal("Alpha vs Beta", stored!.Comparison.Title);
        await using var command = dataSource.CreateCommand("select title from comparisons");
        Assert.Equal("Alpha vs Beta", await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Markup_is_stored_and_returned_verbatim()
    {
        var (dataSource, store) = await NewStoreAsync();
        await using var _ = dataSource;
        var sample = ComparisonTestData.Sample() with { Summary = "<script>alert('x')</script> &amp; <b>bold</b> \"quoted\"" };

        await store.UpsertAsync(sample, CancellationToken.None);

        Assert.Equal(sample.Summary, (await store.GetAsync(sample.Slug, CancellationToken.None))!.Comparison.Summary);
    }

    [Fact]
    public async Task An_unknown_slug_is_not_found()
    {
        var (dataSource, store) = await NewStoreAsync();
        await using var _ = dataSource;

        Assert.Null(await store.GetAsync("nope", CancellationToken.None));
    }

    [Fact]
    public async Task The_list_filters_by_sent_status_newest_first()
    {
        var (dataSource, store) = await NewStoreAsync();
        await using var _ = dataSource;
        var t = new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero);
        var old = await store.UpsertAsync(ComparisonTestData.Sample("old") with { PublishedAt = t }, CancellationToken.None);
        var recent = await store.UpsertAsync(ComparisonTestData.Sample("recent") with { PublishedAt = t.AddDays(3) }, CancellationToken.None);
        var edition = await SelectionTestData.EditionAsync(dataSource, "sent", t.AddDays(1));
        await SelectionTestData.RecordAsync(dataSource, edition, [old.Id]);

        var all = await store.ListAsync(ComparisonStatusFilter.All, 50, 0, CancellationToken.None);
        var sent = await store.ListAsync(ComparisonStatusFilter.Sent, 50, 0, CancellationToken.None);
        var unsent = await store.ListAsync(ComparisonStatusFilter.Unsent, 50, 0, CancellationToken.None);

        Assert.Equal(["recent", "old"], all.Select(c => c.Slug));
        Assert.Equal(edition, Assert.Single(sent).SentInEditionId);
        Assert.Equal("old", sent[0].Slug);
        Assert.Equal(recent.Id, Assert.Single(unsent).Id);
        Assert.Null(unsent[0].SentInEditionId);
        Assert.Equal(edition, (await store.GetAsync("old", CancellationToken.None))!.SentInEditionId);
    }

    [Fact]
    public async Task The_unsent_count_leaves_out_what_a_sent_edition_consumed()
    {
        var (dataSource, store) = await NewStoreAsync();
        await using var _ = dataSource;
        var a = await store.UpsertAsync(ComparisonTestData.Sample("a-vs-b"), CancellationToken.None);
        await store.UpsertAsync(ComparisonTestData.Sample("c-vs-d"), CancellationToken.None);
        Assert.Equal(2, await store.CountUnsentAsync(CancellationToken.None));

        var edition = await SelectionTestData.EditionAsync(dataSource, "draft", DateTimeOffset.UtcNow);
        await SelectionTestData.RecordAsync(dataSource, edition, [a.Id]);
        Assert.Equal(2, await store.CountUnsentAsync(CancellationToken.None));

        await SelectionTestData.SetStateAsync(dataSource, edition, "sent");
        Assert.Equal(1, await store.CountUnsentAsync(CancellationToken.None));
    }
}
