using System.Globalization;

namespace Newsletter.Templates.Admin;

// View models of the admin console pages. The host (Newsletter.Sender.Admin) fills them; the components only display.

/// <summary>What every admin page needs: who is signed in, the antiforgery field, which section is current.</summary>
public sealed record AdminContext(string NewsletterName, string? User, string CsrfFieldName, string CsrfToken, string Section);

public sealed record StatusCount(string Status, long Count);

public sealed record WeekCount(DateOnly WeekStart, long Count);

/// <summary>An edition with its delivery counts (pending includes those being sent right now).</summary>
public sealed record EditionProgress(long Id, string State, string? Reason, string? Subject, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt, int Recipients, long Sent, long Deferred, long Failed, long Pending, long Skipped)
{
    public long Total => Math.Max(Recipients, Sent + Deferred + Failed + Pending + Skipped);

    /// <summary>Share of deliveries finished (sent, failed or skipped), 0–100; 100 for an edition without recipients that is done.</summary>
    public int Percent => Total == 0 ? (State is "sent" or "cancelled" or "skipped" ? 100 : 0) : (int)Math.Floor(100.0 * (Sent + Failed + Skipped) / Total);

    public double Share(long n) => Total == 0 ? 0 : Math.Round(100.0 * n / Total, 2);
}

public sealed record DashboardModel(IReadOnlyList<StatusCount> Statuses, IReadOnlyList<WeekCount> Growth, DateTimeOffset? NextSend,
    string? NextSendLocal, string ScheduleText, bool ScheduleEnabled, IReadOnlyList<EditionProgress> Editions, long UnsentComparisons);

public sealed record PreviewItem(long Id, string Title, string ToolA, string ToolB, DateTimeOffset PublishedAt, bool Excluded, int Position);

public sealed record PreviewModel(IReadOnlyList<PreviewItem> Items, string Subject, string Preheader, string Text, string Headers, bool HasDraft,
    string? Notice, string? Error, string TestAddresses, int MaxTestAddresses);

public sealed record SpamRule(double Score, string Name, string Description);

public sealed record SpamModel(bool Installed, double? Score, double? Required, IReadOnlyList<SpamRule> Rules, string? Error, string Subject);

public sealed record SendConfirmModel(IReadOnlyList<PreviewItem> Items, string Subject, long Recipients);

public sealed record DeliveryRow(long Id, long SubscriberId, string Email, string State, int Attempts, string? LastReply, DateTimeOffset? LastAttemptAt, DateTimeOffset? SentAt);

public sealed record EditionsModel(IReadOnlyList<EditionProgress> Editions);

public sealed record EditionDetailModel(EditionProgress Edition, IReadOnlyList<DeliveryRow> Deliveries, string? State, string? Reply, int Page, long Total,
    int PageSize, string? Notice);

public sealed record SubscriberRow(long Id, string Email, string Status, DateTimeOffset CreatedAt, DateTimeOffset? ConfirmedAt);

public sealed record SubscribersModel(IReadOnlyList<SubscriberRow> Rows, string? Query, string? Status, int Page, long Total, int PageSize,
    IReadOnlyList<StatusCount> Statuses, string? Notice);

public sealed record ConsentRow(DateTimeOffset SignedUpAt, string? Ip, string? UserAgent, string? Source, string ConsentVersion, DateTimeOffset? ConfirmedAt, string? ConfirmedIp);

public sealed record EventRow(DateTimeOffset At, string? From, string To, string Cause, string? Detail);

public sealed record SubscriberDeliveryRow(long EditionId, string? Subject, string State, int Attempts, string? LastReply, DateTimeOffset? SentAt);

public sealed record SubscriberDetailModel(SubscriberRow Subscriber, string? Name, IReadOnlyList<ConsentRow> Consents, IReadOnlyList<EventRow> Events,
    IReadOnlyList<SubscriberDeliveryRow> Deliveries);

public sealed record ComparisonRow(long Id, string Slug, string Title, string? Url, DateTimeOffset PublishedAt, string? Category, long? SentInEditionId, DateTimeOffset? SentAt);

public sealed record ImportLine(string File, bool Ok, string Outcome, IReadOnlyList<string> Errors);

public sealed record ComparisonsModel(IReadOnlyList<ComparisonRow> Rows, string Status, IReadOnlyList<ImportLine>? Results);

public sealed record InstanceRow(string Name, DateTimeOffset LastCheckin, TimeSpan Interval, bool Stale);

public sealed record JobsModel(bool Enabled, string Cron, string TimeZone, string? Description, DateTimeOffset? Previous, DateTimeOffset? Next,
    string? TriggerState, IReadOnlyList<InstanceRow> Instances, string? Error);

/// <summary>Formatting shared by the admin pages (invariant culture, UTC).</summary>
public static class AdminFormat
{
    public static string Time(DateTimeOffset? value)
        => value is null ? "—" : value.Value.ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    public static string Iso(DateTimeOffset? value)
        => value is null ? "" : value.Value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string Decimal(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    public static string Countdown(TimeSpan left)
    {
        if (left <= TimeSpan.Zero) return "now";
        if (left.TotalDays >= 1) return $"in {(int)left.TotalDays} d {left.Hours} h";
        if (left.TotalHours >= 1) return $"in {(int)left.TotalHours} h {left.Minutes} min";
        return $"in {Math.Max(1, (int)Math.Ceiling(left.TotalMinutes))} min";
    }

    /// <summary>A query string from the non-empty pairs, values escaped.</summary>
    public static string Query(string path, params (string Key, string? Value)[] pairs)
    {
        var parts = pairs.Where(p => !string.IsNullOrEmpty(p.Value)).Select(p => p.Key + "=" + Uri.EscapeDataString(p.Value!)).ToList();
        return parts.Count == 0 ? path : path + "?" + string.Join("&", parts);
    }

    public const string StylesheetUrl = "/_content/Newsletter.Templates/admin/admin.css";
    public const string ScriptUrl = "/_content/Newsletter.Templates/admin/admin.js";
}
