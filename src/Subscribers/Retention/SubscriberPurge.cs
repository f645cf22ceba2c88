using Dapper;
using Npgsql;

namespace Newsletter.Subscribers;

/// <summary>
/// Data minimisation: signups never confirmed are deleted <c>Subscribers__PendingRetention</c> (30 days) after their
/// last signup, with their consents, tokens and mails; per-address signup attempts older than 2 days go too (the
/// limit looks back 24 hours).
/// </summary>
public sealed class SubscriberPurge(NpgsqlDataSource db, SubscribersOptions settings, TimeProvider time)
{
    public static readonly TimeSpan AttemptRetention = TimeSpan.FromDays(2);
    private const int Batch = 5000;

    public async Task<(int Pending, int Attempts)> PurgeAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var pendingCutoff = now - settings.PendingRetention;
        var attemptCutoff = now - AttemptRetention;
        int pending = 0, attempts = 0, n;
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        // In batches, so no statement holds many row locks for long.
        do
        {
            n = await connection.ExecuteAsync(new CommandDefinition(
                """
                delete from subscribers where id in (
                    select id from subscribers
                    where status = 'pending' and confirmed_at is null and status_changed_at < @pendingCutoff and created_at < @pendingCutoff
                    limit @batch for update skip locked)
                """, new { pendingCutoff, batch = Batch }, cancellationToken: cancellationToken));
            pending += n;
        }
        while (n == Batch);
        do
        {
            n = await connection.ExecuteAsync(new CommandDefinition(
                "delete from signup_attempts where ctid in (select ctid from signup_attempts where at < @attemptCutoff limit @batch)",
                new { attemptCutoff, batch = Batch * 4 }, cancellationToken: cancellationToken));
            attempts += n;
        }
        while (n == Batch * 4);
        return (pending, attempts);
    }
}
