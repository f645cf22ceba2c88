using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Newsletter.Comparisons;
using Newsletter.Sender.Editions;
using Newsletter.Sender.Tests.Infrastructure;
using Newsletter.Templates;

namespace Newsletter.Sender.Tests.Editions;

public sealed class EditionServiceTests
{
    private static async Task<(ServiceFactory Service, long[] Ids)> ArrangeAsync(IDictionary<string, string?>? overrides = null)
    {
        var service = await ServiceFactory.CreateAsync(overrides);
        var store = service.Services.GetRequiredService<ComparisonStore>();
        var samples = SampleComparisons.Load(SampleComparisons.FindDirectory()!);
        var ids = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            var result = await store.UpsertAsync(samples[i] with { PublishedAt = DateTimeOffset.UtcNow.AddHours(-1 - i) }, CancellationToken.None);
            ids.Add(result.Id);
        }
        await using var connection = await service.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync(
            "insert into subscribers (email, email_key, status) values ('a@example.com', 'a@example.com', 'confirmed'), ('b@example.com', 'b@example.com', 'pending')");
        return (service, ids.ToArray());
    }

    [Fact]
    public async Task Starting_a_draft_sends_the_admins_order_without_the_excluded_comparison()
    {
        var (service, ids) = await ArrangeAsync();
        using var _ = service;
        var editions = service.Services.GetRequiredService<EditionService>();
        long draft;
        await using (var connection = await service.DataSource.OpenConnectionAsync())
        await using (var tx = await connection.BeginTransactionAsync())
        {
            draft = await connection.ExecuteScalarAsync<long>("insert into editions (state, cutoff) values ('draft', now()) returning id", transaction: tx);
            await ComparisonSelection.RecordAsync(connection, tx, draft, ids, CancellationToken.None);
            // The admin puts the oldest first and leaves the middle one out.
            await ComparisonSelection.ReorderAsync(connection, tx, draft, [ids[2], ids[0], ids[1]], [ids[1]], CancellationToken.None);
            await tx.CommitAsync();
        }

        var edition = await editions.StartDraftAsync(draft, CancellationToken.None);

        Assert.Equal(draft, edition.Id);
        Assert.Equal(EditionState.Sending, edition.State);
        Assert.Equal(1, edition.Recipients);
        await using var check = await service.DataSource.OpenConnectionAsync();
        var order = (await check.QueryAsync<long>("select comparison_id from edition_comparisons where edition_id = @draft order by position", new { draft })).ToList();
        Assert.Equal([ids[2], ids[0]], order);
        var html = await check.ExecuteScalarAsync<string>("select html from editions where id = @draft", new { draft });
        var samples = SampleComparisons.Load(SampleComparisons.FindDirectory()!);
        var first = html!.IndexOf(samples[2].Tools[0].Name, StringComparison.Ordinal);
        var second = html.IndexOf(samples[0].Tools[0].Name, StringComparison.Ordinal);
        Assert.True(first >= 0 && second > first, "the admin's first comparison should come first");

        // The excluded comparison was not consumed: the next edition takes it.
        var next = await editions.CreateAndStartAsync(slot: null, CancellationToken.None);
        Assert.Equal([ids[1]], (await check.QueryAsync<long>("select comparison_id from edition_comparisons where edition_id = @id", new { id = next.Id })).ToList());
    }

    [Fact]
    public async Task A_scheduled_slot_creates_one_edition_however_often_it_is_asked()
    {
        var (service, _) = await ArrangeAsync();
        using var __ = service;
        var editions = service.Services.GetRequiredService<EditionService>();
        var slot = new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => editions.CreateAndStartAsync(slot, CancellationToken.None)));

        Assert.Single(results.Select(r => r.Id).Distinct());
        await using var check = await service.DataSource.OpenConnectionAsync();
        Assert.Equal(1L, await check.ExecuteScalarAsync<long>("select count(*) from editions"));
        Assert.Equal(1L, await check.ExecuteScalarAsync<long>("select count(*) from deliveries"));
    }

    [Fact]
    public async Task Starting_something_that_is_not_a_draft_is_refused_and_changes_nothing()
    {
        var (service, _) = await ArrangeAsync();
        using var __ = service;
        var editions = service.Services.GetRequiredService<EditionService>();
        var sent = await editions.CreateAndStartAsync(slot: null, CancellationToken.None);

        await Assert.ThrowsAsync<InvalidOperationException>(() => editions.StartDraftAsync(sent.Id, CancellationToken.None));
        Assert.Equal(sent.Recipients, (await editions.GetAsync(sent.Id, CancellationToken.None))!.Recipients);
    }

    /// <summary>Small chunks so ten subscribers take three transactions; Role=Web runs no worker or queuer, so the test drives the queueing.</summary>
    private static readonly Dictionary<string, string?> SmallChunks = new()
    {
        ["Delivery:FirstQueueChunk"] = "3",
        ["Delivery:QueueChunk"] = "4",
    };

    private static async Task AddConfirmedAsync(ServiceFactory service, int count, string prefix)
    {
        await using var connection = await service.DataSource.OpenConnectionAsync();
        await connection.ExecuteAsync(
            "insert into subscribers (email, email_key, status, confirmed_at) select @prefix || g || '@example.com', @prefix || g || '@example.com', 'confirmed', now() from generate_series(1, @count) g",
            new { prefix, count });
    }

    [Fact]
    public async Task A_list_is_queued_in_chunks_for_exactly_the_subscribers_confirmed_when_the_edition_started()
    {
        var (service, _) = await ArrangeAsync(new Dictionary<string, string?>(SmallChunks) { ["Service:Role"] = "Web" });
        using var __ = service;
        await AddConfirmedAsync(service, 9, "r"); // with a@example.com: 10 confirmed, b@ is pending
        var editions = service.Services.GetRequiredService<EditionService>();

        var started = await editions.CreateAndStartAsync(slot: null, CancellationToken.None);
        Assert.Equal(EditionState.Sending, started.State);
        Assert.Equal(3, started.Recipients); // the first chunk, queued by the starting transaction
        Assert.True(started.Queueing);
        Assert.Equal([started.Id], await editions.ListQueueingAsync(CancellationToken.None));

        await AddConfirmedAsync(service, 2, "late"); // signed up after the start: the next edition's readers
        Assert.Equal((true, true), await editions.QueueNextChunkAsync(started.Id, CancellationToken.None));   // 7 queued, maybe more
        Assert.Equal((true, false), await editions.QueueNextChunkAsync(started.Id, CancellationToken.None));  // 10: the last chunk
        Assert.Equal((false, false), await editions.QueueNextChunkAsync(started.Id, CancellationToken.None)); // nothing left to do

        await using var check = await service.DataSource.OpenConnectionAsync();
        var queued = (await check.QueryAsync<string>(
            "select s.email from deliveries d join subscribers s on s.id = d.subscriber_id where d.edition_id = @id order by s.id", new { id = started.Id })).ToList();
        Assert.Equal(["a@example.com", .. Enumerable.Range(1, 9).Select(i => $"r{i}@example.com")], queued);
        var done = (await editions.GetAsync(started.Id, CancellationToken.None))!;
        Assert.Equal(10, done.Recipients);
        Assert.False(done.Queueing);
        Assert.Empty(await editions.ListQueueingAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Several_queuers_at_once_queue_every_subscriber_exactly_once()
    {
        var (service, _) = await ArrangeAsync(new Dictionary<string, string?>(SmallChunks) { ["Service:Role"] = "Web" });
        using var __ = service;
        await AddConfirmedAsync(service, 99, "r"); // 100 confirmed: 3 + 25 chunks of 4 (the last one short)
        var editions = service.Services.GetRequiredService<EditionService>();
        var started = await editions.CreateAndStartAsync(slot: null, CancellationToken.None);

        // Four instances' queuers race on the same edition: the edition's row lock lets one chunk in at a time, and
        // whoever finds it locked tries again later (here: at once, until nothing is left).
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while ((await editions.ListQueueingAsync(CancellationToken.None)).Count > 0)
                await editions.QueueNextChunkAsync(started.Id, CancellationToken.None);
        })));

        await using var check = await service.DataSource.OpenConnectionAsync();
        Assert.Equal(100L, await check.ExecuteScalarAsync<long>("select count(distinct subscriber_id) from deliveries where edition_id = @id", new { id = started.Id }));
        Assert.Equal(100L, await check.ExecuteScalarAsync<long>("select count(*) from deliveries where edition_id = @id", new { id = started.Id }));
        Assert.Equal(100, (await editions.GetAsync(started.Id, CancellationToken.None))!.Recipients);
    }

    [Fact]
    public async Task A_cancelled_edition_stops_queueing_and_skips_what_was_queued()
    {
        var (service, _) = await ArrangeAsync(new Dictionary<string, string?>(SmallChunks) { ["Service:Role"] = "Web" });
        using var __ = service;
        await AddConfirmedAsync(service, 9, "r");
        var editions = service.Services.GetRequiredService<EditionService>();
        var started = await editions.CreateAndStartAsync(slot: null, CancellationToken.None);

        Assert.True(await editions.CancelAsync(started.Id, "changed my mind", CancellationToken.None));
        Assert.Equal((false, false), await editions.QueueNextChunkAsync(started.Id, CancellationToken.None));

        var edition = (await editions.GetAsync(started.Id, CancellationToken.None))!;
        Assert.Equal(EditionState.Cancelled, edition.State);
        Assert.Equal(3, edition.Deliveries.Skipped);
        Assert.Equal(3, edition.Deliveries.Total);
        Assert.Empty(await editions.ListQueueingAsync(CancellationToken.None));
    }

    [Fact]
    public async Task The_workers_send_every_chunk_and_the_edition_is_sent_only_after_the_last()
    {
        var (service, _) = await ArrangeAsync(SmallChunks);
        using var __ = service;
        await AddConfirmedAsync(service, 9, "r");
        _ = service.CreateClient(); // starts the host: the delivery worker and the queuer
        var editions = service.Services.GetRequiredService<EditionService>();

        var started = await editions.CreateAndStartAsync(slot: null, CancellationToken.None);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        EditionSummary edition;
        while ((edition = (await editions.GetAsync(started.Id, CancellationToken.None))!).State == EditionState.Sending && DateTime.UtcNow < deadline)
            await Task.Delay(100);

        Assert.Equal(EditionState.Sent, edition.State);
        Assert.Equal(10, edition.Recipients);
        Assert.Equal(10, edition.Deliveries.Sent);
        Assert.Equal(10, edition.Deliveries.Total);
        Assert.Equal(10, service.OutboxFiles().Count);
    }
}
