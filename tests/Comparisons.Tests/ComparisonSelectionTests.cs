using Newsletter.Comparisons;
using Npgsql;

namespace Newsletter.Comparisons.Tests;

/// <summary>Editions and deliveries written directly, the way the lead's edition code will.</summary>
internal static class SelectionTestData
{
    public static async Task<long> EditionAsync(NpgsqlDataSource dataSource, string state, DateTimeOffset cutoff, bool isTest = false)
    {
        await using var command = dataSource.CreateCommand("insert into editions (state, pause_cause, cutoff, is_test) values (@state, case when @state = 'paused' then 'operator' end, @cutoff, @test) returning id");
        command.Parameters.AddWithValue("state", state);
        command.Parameters.AddWithValue("cutoff", cutoff.ToUniversalTime());
        command.Parameters.AddWithValue("test", isTest);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public static async Task SetStateAsync(NpgsqlDataSource dataSource, long editionId, string state)
    {
        await using var command = dataSource.CreateCommand("update editions set state = @state, pause_cause = case when @state = 'paused' then 'operator' end where id = @id");
        command.Parameters.AddWithValue("state", state);
        command.Parameters.AddWithValue("id", editionId);
        await command.ExecuteNonQueryAsync();
    }

    public static async Task RecordAsync(NpgsqlDataSource dataSource, long editionId, IReadOnlyList<long> ids)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        await ComparisonSelection.RecordAsync(connection, tx, editionId, ids, CancellationToken.None);
        await tx.CommitAsync();
    }

    public static async Task SentDeliveryAsync(NpgsqlDataSource dataSource, long editionId)
    {
        await using var command = dataSource.CreateCommand(
            """
            with s as (insert into subscribers (email, email_key, status) values ('a@example.com', 'a@example.com', 'confirmed') returning id)
            insert into deliveries (edition_id, subscriber_id, state, sent_at) select @edition, id, 'sent', now() from s
            """);
        command.Parameters.AddWithValue("edition", editionId);
        await command.ExecuteNonQueryAsync();
    }
}

public class ComparisonSelectionTests
{
    private static readonly DateTimeOffset Cutoff = new(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);

    private sealed class Db : IAsyncDisposable
    {
        public required NpgsqlDataSource DataSource { get; init; }
        public required ComparisonStore Store { get; init; }

        public async Task<long> AddAsync(string slug, DateTimeOffset publishedAt) =>
            (await Store.UpsertAsync(ComparisonTestData.Sample(slug) with { PublishedAt = publishedAt }, CancellationToken.None)).Id;

        public async Task<List<string>> SelectAsync(DateTimeOffset cutoff, int max = 6, TimeSpan? lookBack = null)
        {
            await using var connection = await DataSource.OpenConnectionAsync();
            await using var tx = await connection.BeginTransactionAsync();
            var selected = await ComparisonSelection.SelectAsync(connection, tx, cutoff, max, lookBack ?? ComparisonSelection.DefaultLookBack, CancellationToken.None);
            await tx.CommitAsync();
            return selected.Select(s => s.Comparison.Slug).ToList();
        }

        public async Task<IReadOnlyList<EditionComparison>> ForEditionAsync(long edition, bool includeExcluded)
        {
            await using var connection = await DataSource.OpenConnectionAsync();
            return await ComparisonSelection.ForEditionAsync(connection, null, edition, includeExcluded, CancellationToken.None);
        }

        /// <summary>Selects for <paramref name="cutoff"/>, records into a new edition and moves it to <paramref name="state"/>.</summary>
        public async Task<(long Edition, List<string> Slugs)> SendAsync(DateTimeOffset cutoff, string state = "sent", int max = 6, bool isTest = false)
        {
            var edition = await SelectionTestData.EditionAsync(DataSource, "draft", cutoff, isTest);
            await using var connection = await DataSource.OpenConnectionAsync();
            await using var tx = await connection.BeginTransactionAsync();
            var selected = await ComparisonSelection.SelectAsync(connection, tx, cutoff, max, CancellationToken.None);
            await ComparisonSelection.RecordAsync(connection, tx, edition, selected.Select(s => s.Id).ToList(), CancellationToken.None);
            await tx.CommitAsync();
            await SelectionTestData.SetStateAsync(DataSource, edition, state);
            return (edition, selected.Select(s => s.Comparison.Slug).ToList());
        }

        public ValueTask DisposeAsync() => DataSource.DisposeAsync();
    }

    private static async Task<Db> NewDbAsync()
    {
        var dataSource = NpgsqlDataSource.Create(await TestDatabases.CreateAsync());
        return new Db { DataSource = dataSource, Store = new ComparisonStore(dataSource) };
    }

    [Fact]
    public async Task Only_comparisons_published_up_to_the_cutoff_and_within_the_look_back_are_selected()
    {
        await using var db = await NewDbAsync();
        await db.AddAsync("at-cutoff", Cutoff);
        await db.AddAsync("yesterday", Cutoff.AddDays(-1));
        await db.AddAsync("after-cutoff", Cutoff.AddMinutes(1));
        await db.AddAsync("thirteen-days", Cutoff.AddDays(-13));
        await db.AddAsync("fifteen-days", Cutoff.AddDays(-15));

        Assert.Equal(["at-cutoff", "yesterday", "thirteen-days"], await db.SelectAsync(Cutoff));
        Assert.Equal(["at-cutoff", "yesterday", "thirteen-days", "fifteen-days"], await db.SelectAsync(Cutoff, lookBack: TimeSpan.FromDays(30)));
    }

    [Fact]
    public async Task A_week_with_nothing_new_selects_nothing()
    {
        await using var db = await NewDbAsync();
        await db.AddAsync("last-week", Cutoff.AddDays(-3));
        await db.SendAsync(Cutoff);

        Assert.Empty(await db.SelectAsync(Cutoff.AddDays(7)));
    }

    [Fact]
    public async Task The_cap_takes_the_newest_and_the_rest_roll_over_until_they_age_out()
    {
        await using var db = await NewDbAsync();
        for (var i = 1; i <= 8; i++) await db.AddAsync($"week1-{i}", Cutoff.AddDays(-7).AddHours(i * 12)); // week1-8 newest

        var (_, first) = await db.SendAsync(Cutoff);
        Assert.Equal(["week1-8", "week1-7", "week1-6", "week1-5", "week1-4", "week1-3"], first);

        await db.AddAsync("week2-1", Cutoff.AddDays(3));
        var (_, second) = await db.SendAsync(Cutoff.AddDays(7));
        // Published before the first edition's cutoff, not sent: rolled over behind the new page.
        Assert.Equal(["week2-1", "week1-2", "week1-1"], second);

        // Two more weeks later nothing is left, and the week-1 pages are past the look-back anyway.
        Assert.Empty(await db.SelectAsync(Cutoff.AddDays(21)));
    }

    [Fact]
    public async Task Left_over_pages_older_than_the_look_back_are_not_sent()
    {
        await using var db = await NewDbAsync();
        for (var i = 1; i <= 3; i++) await db.AddAsync($"old-{i}", Cutoff.AddDays(-6).AddHours(i));

        var (_, first) = await db.SendAsync(Cutoff, max: 1);
        Assert.Equal(["old-3"], first);

        // A fresh install's backlog or a long queue: the week after, the others are 13 days old (in),
        // three weeks after they are 27 days old (out).
        Assert.Equal(["old-2", "old-1"], await db.SelectAsync(Cutoff.AddDays(7)));
        Assert.Empty(await db.SelectAsync(Cutoff.AddDays(21)));
    }

    [Theory]
    [InlineData("sending")]
    [InlineData("paused")]
    [InlineData("sent")]
    public async Task A_comparison_in_an_edition_that_went_out_is_never_selected_again(string state)
    {
        await using var db = await NewDbAsync();
        await db.AddAsync("a", Cutoff.AddDays(-1));
        await db.AddAsync("b", Cutoff.AddDays(-2));

        var (_, first) = await db.SendAsync(Cutoff, state);

        Assert.Equal(["a", "b"], first);
        Assert.Empty(await db.SelectAsync(Cutoff));
        Assert.Empty(await db.SelectAsync(Cutoff.AddDays(7)));
    }

    [Theory]
    [InlineData("draft")]
    [InlineData("scheduled")]
    [InlineData("skipped")]
    [InlineData("cancelled")]
    public async Task An_edition_that_did_not_go_out_consumes_nothing(string state)
    {
        await using var db = await NewDbAsync();
        await db.AddAsync("a", Cutoff.AddDays(-1));

        await db.SendAsync(Cutoff, state);

        Assert.Equal(["a"], await db.SelectAsync(Cutoff.AddDays(7)));
    }

    [Fact]
    public async Task A_cancelled_edition_that_reached_some_readers_consumes_its_comparisons()
    {
        await using var db = await NewDbAsync();
        await db.AddAsync("a", Cutoff.AddDays(-1));
        var (edition, _) = await db.SendAsync(Cutoff, "cancelled");

        await SelectionTestData.SentDeliveryAsync(db.DataSource, edition);

        Assert.Empty(await db.SelectAsync(Cutoff.AddDays(7)));
    }

    [Fact]
    public async Task Test_editions_consume_nothing()
    {
        await using var db = await NewDbAsync();
        await db.AddAsync("a", Cutoff.AddDays(-1));

        var (_, test) = await db.SendAsync(Cutoff, "sent", isTest: true);

        Assert.Equal(["a"], test);
        Assert.Equal(["a"], await db.SelectAsync(Cutoff));
    }

    [Fact]
    public async Task A_comparison_updated_after_it_was_sent_is_not_sent_again()
    {
        await using var db = await NewDbAsync();
        await db.AddAsync("a", Cutoff.AddDays(-1));
        await db.SendAsync(Cutoff);

        var update = await db.Store.UpsertAsync(
            ComparisonTestData.Sample("a") with { PublishedAt = Cutoff.AddDays(2), Title = "Alpha vs Beta, revisited" }, CancellationToken.None);

        Assert.Equal(UpsertOutcome.Updated, update.Outcome);
        Assert.Empty(await db.SelectAsync(Cutoff.AddDays(7)));
    }

    [Fact]
    public async Task The_admin_order_and_exclusions_are_stored_and_excluded_pages_stay_eligible()
    {
        await using var db = await NewDbAsync();
        var a = await db.AddAsync("a", Cutoff.AddDays(-1));
        var b = await db.AddAsync("b", Cutoff.AddDays(-2));
        var c = await db.AddAsync("c", Cutoff.AddDays(-3));
        var (edition, drafted) = await db.SendAsync(Cutoff, "draft");
        Assert.Equal(["a", "b", "c"], drafted);

        await db.Store.ReorderEditionAsync(edition, [c, a, b], [a], CancellationToken.None);

        Assert.Equal(["c", "b"], (await db.ForEditionAsync(edition, includeExcluded: false)).Select(x => x.Comparison.Slug));
        var all = await db.ForEditionAsync(edition, includeExcluded: true);
        Assert.Equal([(c, 0, false), (a, 1, true), (b, 2, false)], all.Select(x => (x.Id, x.Position, x.Excluded)));

        await SelectionTestData.SetStateAsync(db.DataSource, edition, "sent");
        Assert.Equal(["a"], await db.SelectAsync(Cutoff.AddDays(7)));
    }

    [Fact]
    public async Task Recording_a_draft_again_keeps_exclusions_and_drops_pages_no_longer_selected()
    {
        await using var db = await NewDbAsync();
        var a = await db.AddAsync("a", Cutoff.AddDays(-1));
        var b = await db.AddAsync("b", Cutoff.AddDays(-2));
        var c = await db.AddAsync("c", Cutoff.AddDays(-3));
        var edition = await SelectionTestData.EditionAsync(db.DataSource, "draft", Cutoff);
        await SelectionTestData.RecordAsync(db.DataSource, edition, [a, b, c]);
        await db.Store.ReorderEditionAsync(edition, [a, b, c], [b], CancellationToken.None);

        await SelectionTestData.RecordAsync(db.DataSource, edition, [b, a]);

        var rows = await db.ForEditionAsync(edition, includeExcluded: true);
        Assert.Equal([(b, 0, true), (a, 1, false)], rows.Select(x => (x.Id, x.Position, x.Excluded)));
    }

    [Fact]
    public async Task Reordering_is_refused_once_the_edition_is_sending_or_when_the_ids_do_not_match()
    {
        await using var db = await NewDbAsync();
        var a = await db.AddAsync("a", Cutoff.AddDays(-1));
        var b = await db.AddAsync("b", Cutoff.AddDays(-2));
        var (edition, _) = await db.SendAsync(Cutoff, "draft");

        var missing = await Assert.ThrowsAsync<EditionComparisonsException>(() => db.Store.ReorderEditionAsync(edition, [a], [], CancellationToken.None));
        var foreign = await Assert.ThrowsAsync<EditionComparisonsException>(() => db.Store.ReorderEditionAsync(edition, [a, b], [999], CancellationToken.None));
        await SelectionTestData.SetStateAsync(db.DataSource, edition, "sending");
        var late = await Assert.ThrowsAsync<EditionComparisonsException>(() => db.Store.ReorderEditionAsync(edition, [b, a], [], CancellationToken.None));
        var absent = await Assert.ThrowsAsync<EditionComparisonsException>(() => db.Store.ReorderEditionAsync(12345, [], [], CancellationToken.None));

        Assert.Contains("exactly once", missing.Message, StringComparison.Ordinal);
        Assert.Contains("must belong", foreign.Message, StringComparison.Ordinal);
        Assert.Contains("is sending", late.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", absent.Message, StringComparison.Ordinal);
        Assert.Equal([a, b], (await db.ForEditionAsync(edition, includeExcluded: true)).Select(x => x.Id));
    }
}
