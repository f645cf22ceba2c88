using System.Globalization;
using Dapper;
using Npgsql;

namespace Newsletter.Subscribers;

public sealed record SubscriberSummary(long Id, string Email, string? Name, string Status, DateTime CreatedAt, DateTime? ConfirmedAt);

public sealed record SubscriberPage(IReadOnlyList<SubscriberSummary> Items, long Total, int Page, int PageSize);

public sealed record ConsentRecord(long Id, DateTime SignedUpAt, string? Ip, string? UserAgent, string? Source, string ConsentVersion,
    DateTime? ConfirmedAt, string? ConfirmedIp);

public sealed record StatusChange(DateTime At, string? FromStatus, string ToStatus, string Cause, string? Detail);

public sealed record DeliveryRecord(long EditionId, string? Subject, string State, int Attempts, DateTime? SentAt, string? LastReply);

/// <summary>One bounce or complaint as it came in: kind (hard, soft, complaint), source (smtp, mailbox, webhook), diagnostic text.</summary>
public sealed record BounceRecord(DateTime At, long? EditionId, string Kind, string Source, string? Detail);

/// <summary>Everything we hold about one subscriber (GDPR art. 15 access request).</summary>
public sealed record SubscriberDetail(long Id, string Email, string? Name, string Status, DateTime CreatedAt, DateTime StatusChangedAt,
    DateTime? ConfirmedAt, int SoftBounces, IReadOnlyList<ConsentRecord> Consents, IReadOnlyList<StatusChange> History,
    IReadOnlyList<BounceRecord> Bounces)
{
    /// <summary>The editions sent to this subscriber: the host fills them in from its deliveries.</summary>
    public IReadOnlyList<DeliveryRecord> Deliveries { get; init; } = [];

    /// <summary>The links this subscriber clicked (only recorded with <c>Tracking__Clicks=Individual</c>; erasure removes them).</summary>
    public IReadOnlyList<ClickRecord> Clicks { get; init; } = [];
}

/// <summary>One link of an edition a subscriber clicked: first and last time, how often.</summary>
public sealed record ClickRecord(long EditionId, string Url, string? Slug, DateTime FirstAt, DateTime LastAt, int Clicks);

/// <summary>How many subscribers have one status.</summary>
public sealed record StatusTotal(string Status, long Count);

/// <summary>Subscribers confirmed in the ISO week (Monday, UTC) starting <see cref="WeekStart"/>.</summary>
public sealed record WeeklyConfirmations(DateOnly WeekStart, long Count);

/// <summary>Which subscribers an export holds: one status, or every status but <c>erased</c> when null.</summary>
public sealed record SubscriberExportFilter(string? Status = null);

public enum EraseOutcome
{
    Erased,
    AlreadyErased,
    NotFound,
}

/// <summary>
/// The admin side of the subscriber list, for the admin console and <c>/api/subscribers</c>:
/// <list type="bullet">
/// <item><see cref="SearchAsync"/>: a page of subscribers whose address or name contains the query, optionally one status;
/// <see cref="SearchAllAsync"/>: all of them, streamed.</item>
/// <item><see cref="CountByStatusAsync"/> and <see cref="ConfirmedPerWeekAsync"/>: the list at a glance.</item>
/// <item><see cref="GetDetailAsync"/>: one subscriber with consents, status history and bounces (null when unknown); the host adds the deliveries and clicks it owns.</item>
/// <item><see cref="EraseAsync"/>: GDPR erasure (see the method).</item>
/// <item><see cref="ExportCsvAsync"/>: the list as CSV, streamed (cells defused against CSV injection).</item>
/// </list>
/// </summary>
public sealed class SubscriberAdmin(NpgsqlDataSource db, TimeProvider time, SuppressionHash suppression, ISubscriberDepartures departures)
{
    public const int PageSize = 50;

    public static readonly IReadOnlyList<string> Statuses = SubscriberStatus.All;

    // Address or name contains the pattern (LIKE, with the query's own % and _ escaped); optionally one status.
    private const string SearchCondition = """
        where (@status::text is null or status = @status)
          and (@pattern::text is null or email_key like @pattern or lower(coalesce(name, '')) like @pattern)
        """;

    private const string SummaryColumns = "select id, email, name, status, created_at as CreatedAt, confirmed_at as ConfirmedAt from subscribers ";

    /// <summary>A page (1-based) of subscribers matching <paramref name="query"/> (address or name, substring) and status.</summary>
    public async Task<SubscriberPage> SearchAsync(string? query, string? status, int page, CancellationToken cancellationToken = default)
    {
        var pattern = SearchPattern(query, status);
        page = Math.Max(1, page);
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "select count(*) from subscribers " + SearchCondition, new { status, pattern }, cancellationToken: cancellationToken));
        var items = await connection.QueryAsync<SubscriberSummary>(new CommandDefinition(
            SummaryColumns + SearchCondition + " order by id desc limit @limit offset @offset",
            new { status, pattern, limit = PageSize, offset = (long)(page - 1) * PageSize }, cancellationToken: cancellationToken));
        return new SubscriberPage(items.ToList(), total, page, PageSize);
    }

    /// <summary>Every subscriber <see cref="SearchAsync"/> finds, oldest first, streamed (the admin console's CSV export).</summary>
    public async IAsyncEnumerable<SubscriberSummary> SearchAllAsync(string? query, string? status,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var pattern = SearchPattern(query, status);
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var rows = connection.QueryUnbufferedAsync<SubscriberSummary>(SummaryColumns + SearchCondition + " order by id", new { status, pattern });
        await foreach (var row in rows.WithCancellation(cancellationToken)) yield return row;
    }

    private static string? SearchPattern(string? query, string? status)
    {
        if (status is not null && !Statuses.Contains(status)) throw new ArgumentException($"unknown status '{status}'", nameof(status));
        return string.IsNullOrWhiteSpace(query) ? null
            : "%" + query.Trim().ToLowerInvariant().Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";
    }

    /// <summary>How many subscribers have each status, every one of <see cref="Statuses"/> listed (zero included).</summary>
    public async Task<IReadOnlyList<StatusTotal>> CountByStatusAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var rows = (await connection.QueryAsync<(string Status, long Count)>(new CommandDefinition(
            "select status, count(*) from subscribers group by status", cancellationToken: cancellationToken))).ToDictionary(r => r.Status, r => r.Count);
        return Statuses.Select(s => new StatusTotal(s, rows.GetValueOrDefault(s))).ToList();
    }

    /// <summary>New confirmed subscribers per ISO week (Monday, UTC), the last <paramref name="weeks"/> weeks including this one.</summary>
    public async Task<IReadOnlyList<WeeklyConfirmations>> ConfirmedPerWeekAsync(int weeks, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(weeks);
        var today = time.GetUtcNow().UtcDateTime.Date;
        var monday = today.AddDays(-(((int)today.DayOfWeek + 6) % 7));
        var from = monday.AddDays(-7 * (weeks - 1));
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var rows = (await connection.QueryAsync<(DateTime Week, long Count)>(new CommandDefinition(
            """
            select date_trunc('week', confirmed_at at time zone 'UTC') as week, count(*)
              from subscribers where confirmed_at >= @from group by 1
            """, new { from = new DateTimeOffset(from, TimeSpan.Zero) }, cancellationToken: cancellationToken))).ToDictionary(r => DateOnly.FromDateTime(r.Week), r => r.Count);
        return Enumerable.Range(0, weeks).Select(i => DateOnly.FromDateTime(from.AddDays(7 * i)))
            .Select(w => new WeeklyConfirmations(w, rows.GetValueOrDefault(w))).ToList();
    }

    public async Task<long?> FindIdAsync(string email, CancellationToken cancellationToken = default)
    {
        var normalized = SubscriberService.Normalize(email, out _);
        if (normalized is null) return null;
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "select id from subscribers where email_key = @key", new { key = SubscriberService.EmailKey(normalized) }, cancellationToken: cancellationToken));
    }

    public async Task<SubscriberDetail?> GetDetailAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var s = await connection.QuerySingleOrDefaultAsync<(long Id, string Email, string? Name, string Status, DateTime CreatedAt, DateTime StatusChangedAt, DateTime? ConfirmedAt, int SoftBounces)?>(
            new CommandDefinition(
                "select id, email, name, status, created_at, status_changed_at, confirmed_at, soft_bounces from subscribers where id = @id",
                new { id }, cancellationToken: cancellationToken));
        if (s is null) return null;
        var consents = await connection.QueryAsync<ConsentRecord>(new CommandDefinition(
            """
            select id, signed_up_at as SignedUpAt, host(ip) as Ip, user_agent as UserAgent, source, consent_version as ConsentVersion,
                   confirmed_at as ConfirmedAt, host(confirmed_ip) as ConfirmedIp
            from consents where subscriber_id = @id order by id
            """, new { id }, cancellationToken: cancellationToken));
        var history = await connection.QueryAsync<StatusChange>(new CommandDefinition(
            "select at, from_status as FromStatus, to_status as ToStatus, cause, detail from subscriber_events where subscriber_id = @id order by id",
            new { id }, cancellationToken: cancellationToken));
        var bounces = await connection.QueryAsync<BounceRecord>(new CommandDefinition(
            "select at, edition_id as EditionId, kind, source, detail from bounces where subscriber_id = @id order by id",
            new { id }, cancellationToken: cancellationToken));
        var v = s.Value;
        return new SubscriberDetail(v.Id, v.Email, v.Name, v.Status, v.CreatedAt, v.StatusChangedAt, v.ConfirmedAt, v.SoftBounces,
            consents.ToList(), history.ToList(), bounces.ToList());
    }

    /// <summary>
    /// GDPR erasure. In one transaction: the keyed hash of the normalised address (<see cref="SuppressionHash"/>) goes to <c>suppressions</c> (so an import
    /// cannot silently re-add it); the row keeps its id (delivery statistics stay whole) but its address becomes
    /// <c>erased-ID@erased.invalid</c> — which also frees the address's <c>email_key</c>, so the person may sign up again
    /// with a fresh double opt-in — and its name is removed; consents lose IP addresses and user agents; outbox rows and
    /// confirmation tokens and the record of which links they clicked are deleted (click counts stay); SMTP replies, event and bounce details (they often quote the address) are cleared;
    /// pending deliveries are skipped (the deliveries and click records through the host's <see cref="ISubscriberDepartures"/>).
    /// Status <c>erased</c>, recorded in the history.
    /// </summary>
    public async Task<EraseOutcome> EraseAsync(long id, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<(string Status, string Email)?>(new CommandDefinition(
            "select status, email from subscribers where id = @id for update", new { id }, tx, cancellationToken: cancellationToken));
        if (row is null) return EraseOutcome.NotFound;
        if (row.Value.Status == SubscriberStatus.Erased) return EraseOutcome.AlreadyErased;
        var placeholder = $"erased-{id.ToString(CultureInfo.InvariantCulture)}@erased.invalid";
        await connection.ExecuteAsync(new CommandDefinition(
            """
            insert into suppressions (email_hash, reason, created_at, keyed) values (@hash, 'erased', @now, true)
            on conflict (email_hash) do update set reason = 'erased', created_at = excluded.created_at;
            update subscribers set email = @placeholder, email_key = @placeholder, name = null, confirmed_at = null, soft_bounces = 0 where id = @id;
            update subscriber_events set detail = null where subscriber_id = @id;
            update bounces set detail = null where subscriber_id = @id;
            update consents set ip = null, user_agent = null, confirmed_ip = null where subscriber_id = @id;
            delete from outbox where subscriber_id = @id;
            delete from confirmation_tokens where subscriber_id = @id;
            """, new { hash = suppression.Of(row.Value.Email), now, placeholder, id }, tx, cancellationToken: cancellationToken));
        await departures.ErasedAsync(connection, tx, [id], cancellationToken);
        await SubscriberService.ChangeStatusAsync(connection, tx, id, row.Value.Status, SubscriberStatus.Erased, "erasure request", null, now, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return EraseOutcome.Erased;
    }

    /// <summary>
    /// Writes the list as CSV (header <see cref="SubscriberExporter.Header"/>; times ISO 8601 UTC; consent columns only for a confirmed
    /// consent, so a re-import brings unconfirmed rows back as pending) to <paramref name="output"/>, row by row.
    /// </summary>
    public Task<long> ExportCsvAsync(SubscriberExportFilter filter, Stream output, CancellationToken cancellationToken = default)
        => new SubscriberExporter(db).ExportCsvAsync(filter, output, cancellationToken);
}
