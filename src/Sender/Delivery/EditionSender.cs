using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Newsletter.Mail.Smtp;
using Newsletter.Sender.Configuration;
using Newsletter.Subscribers;

namespace Newsletter.Sender.Delivery;

/// <summary>Sends editions: claims a batch of due deliveries, sends them, records the outcomes, tells the relay's health.</summary>
internal sealed class EditionSender(
    DeliveryClaims claims, SendSlots slots, IMailTransport transport, MessageComposer composer, FailurePolicy failures,
    OutcomeRecorder recorder, RelayHealth relay, IOptions<DeliveryOptions> options)
{
    /// <summary>Sends one batch; returns how many deliveries it claimed.</summary>
    public async Task<int> SendBatchAsync(CancellationToken ct)
    {
        var limit = options.Value.BatchSize;
        var rows = await claims.ClaimDeliveriesAsync(limit, ct);
        if (rows.Count == 0) return 0;

        var editions = new Dictionary<long, EditionContent>();
        foreach (var editionId in rows.Select(r => r.EditionId).Distinct())
            editions[editionId] = await composer.GetEditionAsync(editionId, ct);

        var outcomes = new ConcurrentDictionary<long, Outcome>();
        await slots.ForEachAsync(rows, async (row, token) =>
        {
            if (row.Status != SubscriberStatus.Confirmed)
            {
                outcomes[row.Id] = new Outcome(OutcomeKind.Skipped, "subscriber is " + row.Status);
                return;
            }
            var edition = editions[row.EditionId];
            try
            {
                using var message = composer.ComposeEdition(edition, row.SubscriberId, row.Email);
                var reply = await transport.SendAsync(new SmtpEnvelope(composer.EnvelopeFrom, [row.Email]), message.WrittenMemory, token);
                outcomes[row.Id] = new Outcome(OutcomeKind.Sent, reply);
            }
            catch (Exception e) when (e is not OperationCanceledException || !token.IsCancellationRequested)
            {
                outcomes[row.Id] = failures.Failure(e, Utc(row.WindowStart));
            }
        }, ct);

        await recorder.RecordDeliveriesAsync(rows, outcomes, mayBeLast: rows.Count < limit, CancellationToken.None);
        var relayDown = false;
        foreach (var row in rows)
            if (outcomes.TryGetValue(row.Id, out var o)) relayDown |= relay.Record(o);
        if (relayDown) await relay.PauseAllAsync(CancellationToken.None);
        return rows.Count;
    }

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
