using Newsletter.Database;
using System.Collections.Concurrent;
using System.Net.Sockets;
using Dapper;
using Microsoft.Extensions.Options;
using Newsletter.Mail.Smtp;
using Newsletter.Sender.Hosting;
using Newsletter.Subscribers;
using Npgsql;

namespace Newsletter.Sender.Editions;

/// <summary>
/// Sends editions: claims a batch of due deliveries, sends them (renewing the claim while they are in flight),
/// records the outcomes, tells the relay's health. On a stop the rows not yet started are released at once.
/// </summary>
internal sealed class EditionSender(
    NpgsqlDataSource db, DeliveryClaims claims, SendSlots slots, IMailTransport transport, MessageComposer composer, FailurePolicy failures,
    OutcomeRecorder recorder, RelayHealth relay, DeliveryShutdown shutdown, IOptions<DeliveryOptions> options, ILogger<EditionSender> logger)
{
    /// <summary>Put before the reason of an edition paused because its content cannot be built.</summary>
    public const string ContentBroken = "content cannot be built: ";

    /// <summary>Sends one batch; returns how many deliveries it claimed. <paramref name="ct"/>: stop claiming and starting.</summary>
    public async Task<int> SendBatchAsync(CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var limit = options.Value.BatchSize;
        // Not cancelled half-way: a claim that committed but whose rows never came back would sit out its lease.
        var rows = await claims.ClaimDeliveriesAsync(limit, CancellationToken.None);
        if (rows.Count == 0) return 0;
        using var activity = NewsletterTelemetry.Source.StartActivity("send edition batch");
        activity?.SetTag("newsletter.batch.size", rows.Count);

        var outcomes = new ConcurrentDictionary<long, Outcome>();
        var editions = new Dictionary<long, EditionContent>();
        Exception? transient = null;
        var missing = false;
        foreach (var editionId in rows.Select(r => r.EditionId).Distinct())
        {
            try
            {
                editions[editionId] = await composer.GetEditionAsync(editionId, shutdown.Sends);
            }
            catch (Exception e) when (IsTransient(e))
            {
                // Its rows are released below and claimed again once the database answers.
                transient ??= e;
                missing = true;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                await PauseBrokenAsync(editionId, e);
                missing = true;
            }
        }
        var work = missing ? rows.Where(r => editions.ContainsKey(r.EditionId)).ToList() : rows;

        var sending = slots.ForEachAsync(work, async (row, token) =>
        {
            if (row.Status != SubscriberStatus.Confirmed)
            {
                outcomes[row.Id] = new Outcome(OutcomeKind.Skipped, "subscriber is " + row.Status);
                return;
            }
            var edition = editions[row.EditionId];
            PooledBufferWriter message;
            try
            {
                message = composer.ComposeEdition(edition, row.SubscriberId, row.Email);
            }
            catch (Exception e)
            {
                outcomes[row.Id] = failures.Composition(e, UtcTimes.Of(row.WindowStart));
                DeliveryMetrics.Count(MessageKind.Edition, outcomes[row.Id].Kind, DeliveryMetrics.NoRelay);
                return;
            }
            try
            {
                var reply = await transport.SendAsync(new SmtpEnvelope(composer.EditionEnvelopeFrom(row.EditionId, row.SubscriberId), [row.Email]), message.WrittenMemory, token);
                outcomes[row.Id] = new Outcome(OutcomeKind.Sent, reply);
                DeliveryMetrics.Count(MessageKind.Edition, OutcomeKind.Sent, transport.RelayOf(reply, null));
            }
            catch (Exception e) when (e is not OperationCanceledException || !token.IsCancellationRequested)
            {
                outcomes[row.Id] = failures.Failure(e, UtcTimes.Of(row.WindowStart));
                DeliveryMetrics.Count(MessageKind.Edition, outcomes[row.Id].Kind, transport.RelayOf(null, e));
            }
            catch (OperationCanceledException)
            {
                // Abandoned at the end of a stop: the relay may have it, so it is deferred (like a dropped connection).
                outcomes[row.Id] = new Outcome(OutcomeKind.Deferred, "connection: abandoned at shutdown");
            }
            finally
            {
                message.Dispose();
            }
        }, ct, shutdown.Sends);
        await claims.KeepLeaseWhileAsync(rows.Select(r => r.Id).ToArray(), sending);

        // Rows with no outcome (not started before a stop, or of an edition that could not be loaded) are released.
        await recorder.RecordDeliveriesAsync(rows, outcomes, mayBeLast: rows.Count < limit);
        var relayDown = false;
        foreach (var row in rows)
            if (outcomes.TryGetValue(row.Id, out var o)) relayDown |= relay.Record(o);
        if (relayDown) await relay.PauseAllAsync(CancellationToken.None);
        if (transient is not null) throw new InvalidOperationException("loading an edition failed: " + transient.Message, transient);
        return rows.Count;
    }

    private static bool IsTransient(Exception e)
        => e is NpgsqlException or TimeoutException or IOException or SocketException || (e.InnerException is { } inner && IsTransient(inner));

    private async Task PauseBrokenAsync(long editionId, Exception e)
    {
        var reason = ContentBroken + e.Message;
        logger.LogError("edition {Id} paused: {Reason}", editionId, reason);
        await using var connection = await db.OpenConnectionAsync(shutdown.Records);
        await EditionTransitions.PauseAsync(connection, null, editionId, PauseCause.Content, reason, shutdown.Records);
    }

}
