using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Newsletter.Subscribers;

/// <summary>
/// Attributes a parsed report to a subscriber and applies it through <see cref="BounceRecorder.ReportAsync"/> (the same
/// path as SMTP replies and webhooks), in one transaction with the report's id in <c>inbound_reports</c>, so a report
/// read twice counts once. Attribution: a verified VERP token in the report's return paths names the subscriber and
/// the edition; a token that does not verify makes the report a forgery (nothing counted); without a token the
/// original Message-ID (<c>edition-N.subscriber-M@…</c>) names them, and only when that subscriber's address is one
/// of the report's recipients.
/// </summary>
public sealed partial class InboundReportProcessor(NpgsqlDataSource db, BounceRecorder bounces, IOptions<BouncesOptions> bouncesOptions,
    SubscribersOptions subscribers)
{
    private readonly VerpAddresses? verp = VerpAddresses.FromSettings(bouncesOptions.Value, subscribers);

    /// <summary>Applies <paramref name="report"/>; the outcome says which folder the message belongs in.</summary>
    public async Task<InboundOutcome> ApplyAsync(InboundReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (report.Kind is InboundReportKind.AutoReply) return InboundOutcome.AutoReply;
        if (report.Kind is InboundReportKind.Unrecognised) return InboundOutcome.Unrecognised;

        VerpToken? token = null;
        var forged = false;
        if (verp is not null)
        {
            foreach (var address in report.ReturnPaths)
            {
                var result = verp.TryRead(address, out var t);
                if (result == VerpResult.Valid) { token = t; forged = false; break; }
                forged |= result == VerpResult.Forged;
            }
        }
        if (forged) return InboundOutcome.Forged;

        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var first = await connection.ExecuteAsync(new CommandDefinition(
            "insert into inbound_reports (message_id, outcome, detail) values (@id, 'pending', @summary) on conflict (message_id) do nothing",
            new { id = Clip(report.ReportId, 998), summary = report.Summary }, tx, cancellationToken: cancellationToken));
        if (first == 0) return InboundOutcome.Duplicate;

        var (subscriberId, editionId, recipient) = token is not null
            ? (token.SubscriberId, token.EditionId, Worst(report.Recipients))
            : await ByMessageIdAsync(connection, tx, report, cancellationToken);
        InboundOutcome outcome;
        if (subscriberId is null || recipient is null)
        {
            outcome = InboundOutcome.Unknown;
        }
        else
        {
            var exists = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                "select exists (select 1 from subscribers where id = @subscriberId)", new { subscriberId }, tx, cancellationToken: cancellationToken));
            outcome = !exists ? InboundOutcome.Unknown
                : await bounces.ReportAsync(connection, tx, new BounceReport(subscriberId.Value, editionId, recipient.Kind, BounceSource.Mailbox,
                    recipient.Detail), cancellationToken) ? InboundOutcome.Applied : InboundOutcome.Unchanged;
        }
        await connection.ExecuteAsync(new CommandDefinition(
            "update inbound_reports set outcome = @outcome where message_id = @id",
            new { id = Clip(report.ReportId, 998), outcome = outcome.ToString().ToLowerInvariant() }, tx, cancellationToken: cancellationToken));
        await tx.CommitAsync(cancellationToken);
        if (outcome is InboundOutcome.Applied or InboundOutcome.Unchanged)
            SubscriberMetrics.Bounce(recipient!.Kind.ToString().ToLowerInvariant(), "mailbox");
        return outcome;
    }

    private static async Task<(long?, long?, InboundRecipient?)> ByMessageIdAsync(NpgsqlConnection connection, NpgsqlTransaction tx,
        InboundReport report, CancellationToken ct)
    {
        if (report.OriginalMessageId is null || DeliveryMessageId().Match(report.OriginalMessageId) is not { Success: true } m) return (null, null, null);
        var editionId = long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var subscriberId = long.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
        var key = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "select email_key from subscribers where id = @subscriberId", new { subscriberId }, tx, cancellationToken: ct));
        // The Message-ID alone is guessable: the report must also name that subscriber's address as its recipient.
        var recipient = key is null ? null
            : report.Recipients.Where(r => SubscriberService.EmailKey(r.Address) == key).OrderBy(r => r.Kind).FirstOrDefault();
        return recipient is null ? (null, null, null) : (subscriberId, editionId, recipient);
    }

    /// <summary>A report about several recipients of one delivery (a forwarder's expansion): the most severe counts.</summary>
    private static InboundRecipient? Worst(IReadOnlyList<InboundRecipient> recipients)
        => recipients.OrderBy(r => r.Kind).FirstOrDefault();

    private static string Clip(string text, int length) => text.Length <= length ? text : text[..length];

    [GeneratedRegex(@"^edition-(\d{1,18})\.subscriber-(\d{1,18})@", RegexOptions.CultureInvariant)]
    private static partial Regex DeliveryMessageId();
}
