using Dapper;
using Newsletter.Sender.Editions;
using Newsletter.Subscribers;
using Newsletter.Sender.Admin.Pages;
using Npgsql;

namespace Newsletter.Sender.Admin;

/// <summary>
/// The console's read queries (all parameterized). Changes go through the areas' own services
/// (EditionService, SubscriberAdmin, ComparisonIngestor).
/// </summary>
public sealed class AdminQueries(NpgsqlDataSource db, TimeProvider time)
{
    public const int PageSize = 50;

    public static readonly string[] SubscriberStatuses = ["pending", "confirmed", "unsubscribed", "bounced", "complained", "erased"];
    public static readonly string[] DeliveryStates = ["pending", "sending", "sent", "deferred", "failed", "skipped"];

    public async Task<IReadOnlyList<StatusCount>> SubscriberStatusCountsAsync(CancellationToken ct)
    {
        await using var c = await db.OpenConnectionAsync(ct);
        var rows = (await c.QueryAsync<(string Status, long Count)>(new CommandDefinition(
            "select status, count(*) from subscribers group by status", cancellationToken: ct))).ToDictionary(r => r.Status, r => r.Count);
        return SubscriberStatuses.Select(s => new StatusCount(s, rows.GetValueOrDefault(s))).ToList();
    }

    /// <summary>New confirmed subscribers per ISO week (Monday, UTC), the last <paramref name="weeks"/> weeks including this one.</summary>
    public async Task<IReadOnlyList<WeekCount>> GrowthAsync(int weeks, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime.Date;
        var monday = now.AddDays(-(((int)now.DayOfWeek + 6) % 7));
        var from = monday.AddDays(-7 * (weeks - 1));
        await using var c = await db.OpenConnectionAsync(ct);
        var rows = (await c.QueryAsync<(DateTime Week, long Count)>(new CommandDefinition(
            """
            select date_trunc('week', confirmed_at at time zone 'UTC') as week, count(*)
              from subscribers where confirmed_at >= @from group by 1
            """, new { from = new DateTimeOffset(from, TimeSpan.Zero) }, cancellationToken: ct))).ToDictionary(r => DateOnly.FromDateTime(r.Week), r => r.Count);
        return Enumerable.Range(0, weeks).Select(i => DateOnly.FromDateTime(from.AddDays(7 * i)))
            .Select(w => new WeekCount(w, rows.GetValueOrDefault(w))).ToList();
    }

    public async Task<long> UnsentComparisonCountAsync(CancellationToken ct)
    {
        await using var c = await db.OpenConnectionAsync(ct);
        return await c.ExecuteScalarAsync<long>(new CommandDefinition(
            $"""
            select count(*) from comparisons c
             where not exists (select 1 from edition_comparisons ec join editions e on e.id = ec.edition_id
                                where ec.comparison_id = c.id and {Newsletter.Comparisons.ComparisonSelection.ConsumedCondition})
            """, cancellationToken: ct));
    }

    /// <summary>
    /// How long the console's progress bar waits before it asks again. Each answer counts the edition's deliveries by
    /// state, which reads every delivery (110–300 ms of the database's CPU at 1,000,000 recipients, taken from the send
    /// itself on a small machine), so larger editions are asked about less often: every 2 s up to 100,000 recipients,
    /// 2 s more for each further 100,000, at most every 15 s.
    /// </summary>
    public static int ProgressPollSeconds(long recipients) => (int)Math.Clamp(2 * ((recipients + 99_999) / 100_000), 2, 15);

    public static EditionProgress Progress(EditionSummary e)
    {
        long N(string s) => e.Deliveries.TryGetValue(s, out var n) ? n : 0;
        return new EditionProgress(e.Id, e.State, e.Reason, e.Subject, e.CreatedAt, e.StartedAt, e.FinishedAt, e.Recipients,
            N("sent"), N("deferred"), N("failed"), N("pending") + N("sending"), N("skipped"));
    }

    public async Task<(IReadOnlyList<DeliveryRow> Rows, long Total)> DeliveriesAsync(long editionId, string? state, string? reply, int page, CancellationToken ct)
    {
        await using var c = await db.OpenConnectionAsync(ct);
        var args = new { editionId, state, reply, limit = PageSize, offset = (page - 1) * PageSize };
        const string where = """
            where d.edition_id = @editionId and (@state::text is null or d.state = @state)
              and (@reply::text is null or strpos(lower(coalesce(d.last_reply, '')), lower(@reply)) > 0)
            """;
        var total = await c.ExecuteScalarAsync<long>(new CommandDefinition($"select count(*) from deliveries d {where}", args, cancellationToken: ct));
        var rows = await c.QueryAsync<DeliveryDb>(new CommandDefinition(
            $"""
            select d.id, d.subscriber_id as SubscriberId, s.email, d.state, d.attempts, d.last_reply as LastReply,
                   d.last_attempt_at as LastAttemptAt, d.sent_at as SentAt
              from deliveries d join subscribers s on s.id = d.subscriber_id {where}
             order by d.id limit @limit offset @offset
            """, args, cancellationToken: ct));
        return (rows.Select(r => new DeliveryRow(r.Id, r.SubscriberId, r.Email, r.State, r.Attempts, r.LastReply, Utc(r.LastAttemptAt), Utc(r.SentAt))).ToList(), total);
    }

    public async Task<(IReadOnlyList<SubscriberRow> Rows, long Total)> SearchSubscribersAsync(string? query, string? status, int page, int limit, CancellationToken ct)
    {
        await using var c = await db.OpenConnectionAsync(ct);
        var args = new { query, status, limit, offset = (page - 1) * limit };
        const string where = """
            where (@query::text is null or strpos(s.email_key, lower(@query)) > 0)
              and (@status::text is null or s.status = @status)
            """;
        var total = await c.ExecuteScalarAsync<long>(new CommandDefinition($"select count(*) from subscribers s {where}", args, cancellationToken: ct));
        var rows = await c.QueryAsync<SubscriberDb>(new CommandDefinition(
            $"""
            select s.id, s.email, s.status, s.created_at as CreatedAt, s.confirmed_at as ConfirmedAt
              from subscribers s {where} order by s.id desc limit @limit offset @offset
            """, args, cancellationToken: ct));
        return (rows.Select(ToRow).ToList(), total);
    }

    /// <summary>Every subscriber matching the filter, for the CSV export (streamed).</summary>
    public async IAsyncEnumerable<SubscriberRow> ExportSubscribersAsync(string? query, string? status, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await using var c = await db.OpenConnectionAsync(ct);
        var rows = c.QueryUnbufferedAsync<SubscriberDb>(
            """
            select s.id, s.email, s.status, s.created_at as CreatedAt, s.confirmed_at as ConfirmedAt from subscribers s
             where (@query::text is null or strpos(s.email_key, lower(@query)) > 0) and (@status::text is null or s.status = @status)
             order by s.id
            """, new { query, status }).WithCancellation(ct);
        await foreach (var r in rows) yield return ToRow(r);
    }

    public async Task<SubscriberDetailModel?> SubscriberDetailAsync(long id, CancellationToken ct)
    {
        await using var c = await db.OpenConnectionAsync(ct);
        var s = await c.QuerySingleOrDefaultAsync<SubscriberDb>(new CommandDefinition(
            "select id, email, status, created_at as CreatedAt, confirmed_at as ConfirmedAt, name from subscribers where id = @id", new { id }, cancellationToken: ct));
        if (s is null) return null;
        var consents = await c.QueryAsync<ConsentDb>(new CommandDefinition(
            """
            select signed_up_at as SignedUpAt, host(ip) as Ip, user_agent as UserAgent, source, consent_version as ConsentVersion,
                   confirmed_at as ConfirmedAt, host(confirmed_ip) as ConfirmedIp
              from consents where subscriber_id = @id order by id desc
            """, new { id }, cancellationToken: ct));
        var events = await c.QueryAsync<EventDb>(new CommandDefinition(
            "select at, from_status as FromStatus, to_status as ToStatus, cause, detail from subscriber_events where subscriber_id = @id order by id desc",
            new { id }, cancellationToken: ct));
        var deliveries = await c.QueryAsync<SubscriberDeliveryDb>(new CommandDefinition(
            """
            select d.edition_id as EditionId, e.subject, d.state, d.attempts, d.last_reply as LastReply, d.sent_at as SentAt
              from deliveries d join editions e on e.id = d.edition_id
             where d.edition_id = any(array(select id from editions)) and d.subscriber_id = @id order by d.id desc limit 100
            """, new { id }, cancellationToken: ct));
        return new SubscriberDetailModel(ToRow(s), s.Name,
            consents.Select(x => new ConsentRow(Utc(x.SignedUpAt)!.Value, x.Ip, x.UserAgent, x.Source, x.ConsentVersion, Utc(x.ConfirmedAt), x.ConfirmedIp)).ToList(),
            events.Select(x => new EventRow(Utc(x.At)!.Value, x.FromStatus, x.ToStatus, x.Cause, x.Detail)).ToList(),
            deliveries.Select(x => new SubscriberDeliveryRow(x.EditionId, x.Subject, x.State, x.Attempts, x.LastReply, Utc(x.SentAt))).ToList());
    }

    public async Task<IReadOnlyList<InstanceRow>> SchedulerInstancesAsync(DateTimeOffset now, CancellationToken ct)
    {
        await using var c = await db.OpenConnectionAsync(ct);
        var rows = await c.QueryAsync<(string Name, long LastCheckin, long Interval)>(new CommandDefinition(
            "select instance_name, last_checkin_time, checkin_interval from qrtz_scheduler_state order by instance_name", cancellationToken: ct));
        return rows.Select(r =>
        {
            // Quartz.NET stores times as UTC ticks and the interval in milliseconds.
            var at = new DateTimeOffset(r.LastCheckin, TimeSpan.Zero);
            var interval = TimeSpan.FromMilliseconds(r.Interval);
            return new InstanceRow(r.Name, at, interval, now - at > interval * 3);
        }).ToList();
    }

    private static SubscriberRow ToRow(SubscriberDb s) => new(s.Id, s.Email, s.Status, Utc(s.CreatedAt)!.Value, Utc(s.ConfirmedAt));

    private static DateTimeOffset? Utc(DateTime? value) => value is null ? null : new DateTimeOffset(DateTime.SpecifyKind(value.Value, DateTimeKind.Utc));

    private sealed record DeliveryDb(long Id, long SubscriberId, string Email, string State, int Attempts, string? LastReply, DateTime? LastAttemptAt, DateTime? SentAt);

    private sealed class SubscriberDb
    {
        public long Id { get; init; }
        public string Email { get; init; } = "";
        public string Status { get; init; } = "";
        public DateTime CreatedAt { get; init; }
        public DateTime? ConfirmedAt { get; init; }
        public string? Name { get; init; }
    }

    private sealed record ConsentDb(DateTime SignedUpAt, string? Ip, string? UserAgent, string? Source, string ConsentVersion, DateTime? ConfirmedAt, string? ConfirmedIp);

    private sealed record EventDb(DateTime At, string? FromStatus, string ToStatus, string Cause, string? Detail);

    private sealed record SubscriberDeliveryDb(long EditionId, string? Subject, string State, int Attempts, string? LastReply, DateTime? SentAt);
}
