using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace Newsletter.Subscribers;

/// <summary>Kinds of transactional mail.</summary>
public static class OutboxKind
{
    public const string Confirmation = "confirmation";
    public const string Welcome = "welcome";
    public const string Goodbye = "goodbye";
    public const string Test = "test";
}

/// <summary>
/// Writes transactional mail to the outbox table inside the caller's transaction, so the event and its mail
/// commit or roll back together. The delivery machinery in the host drains it.
/// </summary>
public static class Outbox
{
    public static async Task<long> EnqueueAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string kind,
        long? subscriberId, string recipient, object payload, CancellationToken cancellationToken)
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
        command.Parameters.Add(new NpgsqlParameter("payload", NpgsqlDbType.Jsonb) { Value = JsonSerializer.Serialize(payload) });
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
