using Newsletter.Database;
using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Newsletter.Mail.Smtp;
using Newsletter.Sender.Hosting;
using Newsletter.Subscribers;
using Newsletter.Templates;

namespace Newsletter.Sender.Editions;

/// <summary>
/// Drains the outbox (confirmations and notices): claims a batch, sends it, records the outcomes. On a stop the mails
/// not yet started are released at once.
/// </summary>
internal sealed class OutboxSender(
    OutboxStore store, DeliveryClaims claims, IOptions<DeliveryOptions> options, SendSlots slots, IMailTransport transport, MessageComposer composer, FailurePolicy failures,
    OutcomeRecorder recorder, DeliveryShutdown shutdown, ILogger<OutboxSender> logger)
{
    /// <summary>Sends one batch; returns how many mails it claimed. <paramref name="ct"/>: stop claiming and starting.</summary>
    public async Task<int> SendBatchAsync(CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var rows = await store.ClaimAsync(options.Value.BatchSize, claims.Instance, CancellationToken.None);
        if (rows.Count == 0) return 0;
        using var activity = NewsletterTelemetry.Source.StartActivity("send outbox batch");

        var outcomes = new ConcurrentDictionary<long, Outcome>();
        var sending = slots.ForEachAsync(rows, async (row, token) =>
        {
            try
            {
                var message = await composer.ComposeOutboxAsync(row.Kind, row.SubscriberId, row.Recipient, JsonDocument.Parse(row.Payload).RootElement, token);
                var reply = await transport.SendAsync(new SmtpEnvelope(composer.TransactionalEnvelopeFrom(row.SubscriberId), [row.Recipient]), message, token);
                outcomes[row.Id] = new Outcome(OutcomeKind.Sent, reply);
                DeliveryMetrics.Count(MessageKind.Transactional, OutcomeKind.Sent, transport.RelayOf(reply, null));
            }
            catch (TemplateException e)
            {
                // The operator's to fix: the mail waits (deferred, past the retry window too) until the template renders.
                outcomes[row.Id] = new Outcome(OutcomeKind.Deferred, e.Message);
                logger.LogWarning("outbox {Id} ({Kind}) waits: {Error}", row.Id, row.Kind, e.Message);
            }
            catch (Exception e) when (e is not OperationCanceledException || !token.IsCancellationRequested)
            {
                var outcome = failures.Failure(e, UtcTimes.Of(row.CreatedAt));
                outcomes[row.Id] = outcome;
                DeliveryMetrics.Count(MessageKind.Transactional, outcome.Kind, transport.RelayOf(null, e));
                logger.LogWarning("outbox {Id} ({Kind}): {Outcome} {Reply}", row.Id, row.Kind, outcome.Kind, LogRedaction.Redact(outcome.Reply));
            }
            catch (OperationCanceledException)
            {
                outcomes[row.Id] = new Outcome(OutcomeKind.Deferred, "connection: abandoned at shutdown");
            }
        }, ct, shutdown.Sends);
        await claims.KeepOutboxLeaseWhileAsync(rows.Select(r => r.Id).ToArray(), sending);

        await recorder.RecordOutboxAsync(rows, outcomes);
        return rows.Count;
    }

}
