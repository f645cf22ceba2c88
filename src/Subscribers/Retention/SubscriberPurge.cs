using Dapper;
using Npgsql;

namespace Newsletter.Subscribers;

/// <summary>
/// Data minimisation: signups never confirmed are deleted <c>Subscribers__PendingRetention</c> (30 days) after their
/// last signup, with their consents, tokens and mails; per-address signup attempts older than 2 days go too (the
/// limit looks back 24 hours). Consent records lose their IP addresses and user agents <c>Subscribers__ConsentIpRetention</c>
/// (2 years) after the signup, keeping the date, source and consent version. What a send in flight wrote about a subscriber
/// erased since (an SMTP reply quoting the address, an outbox mail) is removed. Ids of bounce mailbox reports go after 90 days.
/// </summary>
public sealed class SubscriberPurge(NpgsqlDataSource db, SubscribersOptions settings, TimeProvider time, ISubscriberDepartures departures)
{
    public static readonly TimeSpan AttemptRetention = TimeSpan.FromDays(2);

    /// <summary>How long the ids of reports read from the bounce mailbox are kept (idempotency of a report read twice).</summary>
    public static readonly TimeSpan ReportRetention = TimeSpan.FromDays(90);

    /// <summary>How far back the purge looks for erasures whose deliveries may have been written after the erasure.</summary>
    public static readonly TimeSpan ErasureLookBack = TimeSpan.FromDays(2);
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
        // A report is read again only while it is still in the mailbox's folder: its id need not be kept for ever.
        await connection.ExecuteAsync(new CommandDefinition(
            "delete from inbound_reports where received_at < @reportCutoff", new { reportCutoff = now - ReportRetention }, cancellationToken: cancellationToken));
        await ClearConsentIpsAsync(connection, now - settings.ConsentIpRetention, cancellationToken);
        await AnonymiseErasedAsync(connection, now - ErasureLookBack, cancellationToken);
        return (pending, attempts);
    }

    /// <summary>Clears IP addresses and user agents of consents signed before <paramref name="cutoff"/>; returns how many.</summary>
    private static async Task<int> ClearConsentIpsAsync(NpgsqlConnection connection, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        int total = 0, n;
        do
        {
            n = await connection.ExecuteAsync(new CommandDefinition(
                """
                update consents set ip = null, user_agent = null, confirmed_ip = null where id in (
                    select id from consents
                    where signed_up_at < @cutoff and (ip is not null or user_agent is not null or confirmed_ip is not null)
                    limit @batch for update skip locked)
                """, new { cutoff, batch = Batch }, cancellationToken: cancellationToken));
            total += n;
        }
        while (n == Batch);
        return total;
    }

    /// <summary>
    /// A delivery being sent while its subscriber was erased records its SMTP reply afterwards: clear such replies (and any
    /// outbox mail) of subscribers erased since <paramref name="since"/>.
    /// </summary>
    private async Task<int> AnonymiseErasedAsync(NpgsqlConnection connection, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var erased = (await connection.QueryAsync<long>(new CommandDefinition(
            "select id from subscribers where status = 'erased' and status_changed_at >= @since", new { since }, cancellationToken: cancellationToken))).ToArray();
        if (erased.Length == 0) return 0;
        var mails = await connection.ExecuteAsync(new CommandDefinition(
            "delete from outbox where subscriber_id = any(@erased)", new { erased }, cancellationToken: cancellationToken));
        return mails + await departures.ErasedAsync(connection, null, erased, cancellationToken);
    }
}
