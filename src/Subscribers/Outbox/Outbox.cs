using Npgsql;
using NpgsqlTypes;

namespace Newsletter.Subscribers;

/// <summary>
/// Writes transactional mail to the outbox table inside the caller's transaction, so the event and its mail
/// commit or roll back together. The delivery machinery in the host drains it.
/// </summary>
public static class Outbox
{
    /// <summary>A confirmation mail with its typed payload.</summary>
    public static Task<long> EnqueueConfirmationAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        long subscriberId, string recipient, ConfirmationPayload payload, CancellationToken cancellationToken)
        => EnqueueJsonAsync(connection, transaction, OutboxKind.Confirmation, subscriberId, recipient, payload.ToJson(), cancellationToken);

    /// <summary>A mail whose payload carries nothing (welcome, goodbye).</summary>
    public static Task<long> EnqueueAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string kind,
        long? subscriberId, string recipient, CancellationToken cancellationToken)
        => EnqueueJsonAsync(connection, transaction, kind, subscriberId, recipient, "{}", cancellationToken);

    private static async Task<long> EnqueueJsonAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string kind,
        long? subscriberId, string recipient, string payload, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            insert into outbox (kind, subscriber_id, recipient, payload)
            values (@kind, @subscriber, @recipient, @payload)
            returning id
            """, connection, transaction);
        command.Parameters.AddWithValue("kind", kind);
        command.Parameters.AddWithValue("subscriber", (object?)subscriberId ?? DBNull.Value);
        command.Parameters.AddWithValue("recipient", recipient);
        command.Parameters.Add(new NpgsqlParameter("payload", NpgsqlDbType.Jsonb) { Value = payload });
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
