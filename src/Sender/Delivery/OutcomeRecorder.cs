using System.Collections.Concurrent;
using Dapper;
using Microsoft.Extensions.Options;
using Newsletter.Sender.Configuration;
using Newsletter.Subscribers;
using Npgsql;

namespace Newsletter.Sender.Delivery;

/// <summary>
/// Records a batch's outcomes in one statement; nothing is marked sent that the server did not accept. For editions
/// the bounce bookkeeping goes in the same transaction, and a batch that may be an edition's last is followed by the
/// finishing check.
/// </summary>
internal sealed class OutcomeRecorder(NpgsqlDataSource db, BounceRecorder bounces, IOptions<DeliveryOptions> options)
{
    /// <summary>
    /// Records an outbox batch; the payload (it may hold a confirmation token) is cleared once sent. The statement
    /// runs even when <paramref name="ct"/> fires meanwhile: what was sent must not be sent again.
    /// </summary>
    public async Task RecordOutboxAsync(List<OutboxRow> rows, ConcurrentDictionary<long, Outcome> outcomes, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            update outbox o set state = v.state, last_reply = v.reply, claimed_at = null,
                   sent_at = case when v.state = 'sent' then now() end,
                   payload = case when v.state = 'sent' then '{}'::jsonb else o.payload end,
                   next_attempt_at = now() + v.delay
            from unnest(@ids, @states, @replies, @delays) as v(id, state, reply, delay)
            where o.id = v.id and o.state = 'sending'
            """,
            Parameters(outcomes, rows.ToDictionary(r => r.Id, r => r.Attempts)), cancellationToken: CancellationToken.None));
    }

    /// <summary>Records an edition batch with its bounces; <paramref name="mayBeLast"/>: the claim came back short.</summary>
    public async Task RecordDeliveriesAsync(List<DeliveryRow> rows, ConcurrentDictionary<long, Outcome> outcomes, bool mayBeLast,
        CancellationToken ct)
    {
        var byId = rows.ToDictionary(r => r.Id);
        var list = outcomes.ToList();
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            update deliveries d set state = v.state, last_reply = v.reply, claimed_at = null,
                   sent_at = case when v.state = 'sent' then now() end,
                   next_attempt_at = now() + v.delay
            from unnest(@ids, @states, @replies, @delays) as v(id, state, reply, delay)
            where d.id = v.id and d.state = 'sending'
            """,
            Parameters(outcomes, rows.ToDictionary(r => r.Id, r => r.Attempts)), tx, cancellationToken: ct));

        // Same transaction as the outcomes, so a status change commits or rolls back with what caused it.
        await bounces.RecordAsync(connection, tx,
            list.Select(p => DeliveryBounces.From(byId[p.Key].SubscriberId, byId[p.Key].EditionId, p.Value)).ToList(), ct);

        await tx.CommitAsync(ct);

        // Only a short batch can be an edition's last (a full one means more was due; the loop's next, empty claim
        // sweeps every edition), and the check grows with the list, so it does not run after every batch. After the
        // commit, with a fresh snapshot: two loops checking inside their own transactions would each see the other's
        // last rows still 'sending', and neither would finish the edition.
        if (mayBeLast)
            await EditionFinisher.FinishAsync(connection, rows.Select(r => r.EditionId).Distinct().ToArray(), ct);
    }

    /// <summary>The arrays one batch's outcome update unnests (outbox and deliveries alike): id, state, reply, retry delay.</summary>
    private object Parameters(IReadOnlyDictionary<long, Outcome> outcomes, Dictionary<long, int> attempts)
    {
        var list = outcomes.ToList();
        return new
        {
            ids = list.Select(p => p.Key).ToArray(),
            states = list.Select(p => State(p.Value.Kind)).ToArray(),
            replies = list.Select(p => Truncate(p.Value.Reply)).ToArray(),
            delays = list.Select(p => p.Value.Kind == OutcomeKind.Deferred
                ? RetryPolicy.Backoff(attempts[p.Key], options.Value.RetryBaseDelay) : TimeSpan.Zero).ToArray(),
        };
    }

    private static string State(OutcomeKind kind) => kind switch
    {
        OutcomeKind.Sent => "sent",
        OutcomeKind.Deferred => "deferred",
        OutcomeKind.Failed => "failed",
        _ => "skipped",
    };

    private static string Truncate(string reply) => reply.Length <= 1000 ? reply : reply[..1000];
}
