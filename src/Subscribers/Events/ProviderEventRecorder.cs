using System.Globalization;
using System.Text.Json;
using Dapper;
using Npgsql;

namespace Newsletter.Subscribers;

/// <summary>
/// Applies bounces and complaints reported by a mail provider: the whole document is validated first
/// (<see cref="ProviderEventParser"/>), then applied in one transaction through <see cref="BounceRecorder"/>.
/// </summary>
public sealed class ProviderEventRecorder(NpgsqlDataSource db, BounceRecorder bounces)
{
    /// <summary>Reads, validates and applies a document; throws <see cref="EventFieldException"/> and applies nothing if it is wrong.</summary>
    public async Task<EventsResult> RecordAsync(JsonElement root, CancellationToken cancellationToken)
    {
        var document = ProviderEventParser.Parse(root);
        if (document.Subscription is { } subscription)
        {
            await RecordSubscriptionAsync(subscription, cancellationToken);
            return new EventsResult(0, 0, 0, 0,
                "SNS subscription recorded; confirm it by opening its SubscribeURL (this service does not fetch URLs).");
        }
        if (document.Events.Count == 0 && document.Note is not null) return new EventsResult(0, 0, 0, 0, document.Note);
        var result = await ApplyAsync(document.Events, cancellationToken);
        return result with { Note = document.Note };
    }

    /// <summary>Applies validated events in one transaction. Unknown addresses are counted and ignored.</summary>
    public async Task<EventsResult> ApplyAsync(IReadOnlyList<ProviderEvent> events, CancellationToken ct)
    {
        int applied = 0, unchanged = 0, unknown = 0, hard = 0, soft = 0, complaints = 0;
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var keys = events.Select(e => SubscriberService.EmailKey(e.Email)).Distinct().ToArray();
        var ids = (await connection.QueryAsync<(string Key, long Id)>(new CommandDefinition(
            "select email_key, id from subscribers where email_key = any(@keys)", new { keys }, tx, cancellationToken: ct)))
            .ToDictionary(r => r.Key, r => r.Id);
        // Lock in id order so two concurrent posts cannot deadlock.
        foreach (var e in events.OrderBy(e => ids.GetValueOrDefault(SubscriberService.EmailKey(e.Email))))
        {
            if (!ids.TryGetValue(SubscriberService.EmailKey(e.Email), out var id))
            {
                unknown++;
                continue;
            }
            var detail = $"{e.Source}{(e.OccurredAt is { } at ? " at " + at.ToString("O", CultureInfo.InvariantCulture) : "")}: {e.Reason}";
            _ = e.Type == "complaint" ? complaints++ : e.BounceType == "hard" ? hard++ : soft++;
            var kind = e.Type == "complaint" ? BounceReportKind.Complaint : e.BounceType == "hard" ? BounceReportKind.Hard : BounceReportKind.Soft;
            var changed = await bounces.ReportAsync(connection, tx, new BounceReport(id, null, kind, BounceSource.Webhook, detail), ct);
            if (changed) applied++;
            else unchanged++;
        }
        await tx.CommitAsync(ct);
        SubscriberMetrics.Bounce("hard", "webhook", hard);
        SubscriberMetrics.Bounce("soft", "webhook", soft);
        SubscriberMetrics.Bounce("complaint", "webhook", complaints);
        return new EventsResult(events.Count, applied, unchanged, unknown);
    }

    private async Task RecordSubscriptionAsync(SnsSubscription subscription, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            "insert into sns_subscriptions (topic_arn, subscribe_url, message_id) values (@topic, @url, @messageId)",
            new { topic = subscription.TopicArn, url = subscription.SubscribeUrl, messageId = subscription.MessageId }, cancellationToken: ct));
    }
}
