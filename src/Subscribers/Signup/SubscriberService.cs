using Newsletter.Database;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Newsletter.Mail;
using Npgsql;

namespace Newsletter.Subscribers;

/// <summary>
/// The reader's side of the lifecycle: signup with double opt-in, confirmation, unsubscribe. Every change
/// and the mail it causes are written in one transaction (the mail through <see cref="Outbox"/>).
/// </summary>
public sealed class SubscriberService(NpgsqlDataSource db, SubscribersOptions settings, UnsubscribeTokens unsubscribeTokens, TimeProvider time,
    ISubscriberDepartures departures)
{
    public const int MaxUserAgentLength = 512;
    public const int MaxSourceLength = 200;

    /// <summary>Normalises and validates an address with src/Mail's parser; null with a reason when invalid.</summary>
    public static string? Normalize(string? input, out string? error)
    {
        error = null;
        var text = input?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            error = "Please enter your email address.";
            return null;
        }
        if (text.Length > 254)
        {
            error = "That address is too long (254 characters at most).";
            return null;
        }
        if (text.Contains('\uFFFD'))
        {
            // What a decoder makes of bytes that are not UTF-8: refuse rather than store a mangled address.
            error = "That address contains bytes that are not valid UTF-8.";
            return null;
        }
        if (!EmailAddress.TryParse(text, out var address, out var reason))
        {
            error = $"That doesn't look like an email address: {reason}";
            return null;
        }
        if (address!.Domain.StartsWith('['))
        {
            // x@[10.0.0.5] is valid RFC 5321, but it would make our relay connect to whatever host the caller names.
            error = "Addresses with an IP address instead of a domain name are not accepted.";
            return null;
        }
        return address.ToString();
    }

    public static string EmailKey(string normalized) => normalized.ToLowerInvariant();

    public static byte[] EmailHash(string normalized) => SHA256.HashData(Encoding.UTF8.GetBytes(EmailKey(normalized)));

    /// <summary>
    /// Signs an address up. A confirmed address gets no mail; a pending, unsubscribed or bounced one gets a new
    /// confirmation (older links stop working); a complained address gets nothing. The answer is the same in
    /// every case, so the endpoint cannot be used to learn who subscribes.
    /// </summary>
    public async Task<SignupResult> SignupAsync(SignupRequest request, CancellationToken cancellationToken)
    {
        var email = Normalize(request.Email, out var error);
        if (email is null) return new SignupResult(SignupStatus.Invalid, error);
        var key = EmailKey(email);
        var hash = EmailHash(email);
        var now = time.GetUtcNow();

        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);

        // Per-address limit, counted on attempts (not mails) so a confirmed address hits it exactly like a new one.
        // The advisory lock on the address hash serialises concurrent signups of one address.
        await connection.ExecuteAsync(new CommandDefinition(
            "select pg_advisory_xact_lock(hashtextextended(@key, 7))", new { key }, tx, cancellationToken: cancellationToken));
        var attempts = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "select count(*) from signup_attempts where email_hash = @hash and at > @since",
            new { hash, since = now.AddDays(-1) }, tx, cancellationToken: cancellationToken));
        if (attempts >= settings.MaxConfirmationsPerAddressPerDay)
        {
            var oldest = await connection.ExecuteScalarAsync<DateTime>(new CommandDefinition(
                "select min(at) from signup_attempts where email_hash = @hash and at > @since",
                new { hash, since = now.AddDays(-1) }, tx, cancellationToken: cancellationToken));
            var retry = UtcTimes.Of(oldest).AddDays(1) - now;
            return new SignupResult(SignupStatus.RateLimited, "Too many signups for this address; try again later.", email,
                retry > TimeSpan.Zero ? retry : TimeSpan.FromMinutes(1));
        }
        await connection.ExecuteAsync(new CommandDefinition(
            "insert into signup_attempts (email_hash, at) values (@hash, @now)", new { hash, now }, tx, cancellationToken: cancellationToken));

        // Insert, or lock the existing row ("do update" on a no-op keeps the row locked until commit).
        var row = await connection.QuerySingleAsync<(long Id, string Status)>(new CommandDefinition(
            """
            insert into subscribers (email, email_key, status, created_at, status_changed_at)
            values (@email, @key, 'pending', @now, @now)
            on conflict (email_key) do update set email_key = excluded.email_key
            returning id, status
            """, new { email, key, now }, tx, cancellationToken: cancellationToken));

        if (row.Status is SubscriberStatus.Confirmed or SubscriberStatus.Complained)
        {
            // Nothing to send: a confirmed reader is already in, and we never mail an address that complained.
            await tx.CommitAsync(cancellationToken);
            return new SignupResult(SignupStatus.Accepted, NormalizedEmail: email);
        }

        if (row.Status != SubscriberStatus.Pending)
        {
            await ChangeStatusAsync(connection, tx, row.Id, row.Status, SubscriberStatus.Pending, "signup", null, now, cancellationToken);
        }
        else
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "insert into subscriber_events (subscriber_id, at, from_status, to_status, cause) values (@id, @now, null, 'pending', 'signup')",
                new { id = row.Id, now }, tx, cancellationToken: cancellationToken));
        }

        // A new signup revokes every earlier link: only the newest confirmation mail works.
        await connection.ExecuteAsync(new CommandDefinition(
            "update confirmation_tokens set revoked_at = @now where subscriber_id = @id and used_at is null and revoked_at is null",
            new { id = row.Id, now }, tx, cancellationToken: cancellationToken));

        var consentId = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            insert into consents (subscriber_id, signed_up_at, ip, user_agent, source, consent_version)
            values (@id, @now, @ip::inet, @userAgent, @source, @version)
            returning id
            """,
            new
            {
                id = row.Id, now, ip = request.Ip?.ToString(),
                userAgent = Truncate(request.UserAgent, MaxUserAgentLength),
                source = Truncate(request.Source, MaxSourceLength),
                version = settings.ConsentVersion,
            }, tx, cancellationToken: cancellationToken));

        var token = ConfirmationToken.Create();
        var expires = now + settings.ConfirmationTtl;
        await connection.ExecuteAsync(new CommandDefinition(
            "insert into confirmation_tokens (token_hash, subscriber_id, consent_id, created_at, expires_at) values (@hash, @id, @consentId, @now, @expires)",
            new { hash = ConfirmationToken.Hash(token), id = row.Id, consentId, now, expires }, tx, cancellationToken: cancellationToken));

        await Outbox.EnqueueConfirmationAsync(connection, tx, row.Id, email, new ConfirmationPayload(token, expires), cancellationToken);
        await tx.CommitAsync(cancellationToken);
        SubscriberMetrics.Signup();
        return new SignupResult(SignupStatus.Accepted, NormalizedEmail: email);
    }

    /// <summary>
    /// Checks a confirmation token without using it (for GET and HEAD, which link scanners send):
    /// <see cref="ConfirmOutcome.Confirmed"/> means a POST would confirm.
    /// </summary>
    public async Task<ConfirmOutcome> PeekAsync(string? token, CancellationToken cancellationToken)
    {
        if (!ConfirmationToken.LooksValid(token)) return ConfirmOutcome.ExpiredOrInvalid;
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<(string Status, DateTime ExpiresAt, DateTime? UsedAt, DateTime? RevokedAt)?>(new CommandDefinition(
            """
            select s.status, t.expires_at, t.used_at, t.revoked_at
            from confirmation_tokens t join subscribers s on s.id = t.subscriber_id
            where t.token_hash = @hash
            """, new { hash = ConfirmationToken.Hash(token!) }, cancellationToken: cancellationToken));
        if (row is null) return ConfirmOutcome.ExpiredOrInvalid;
        if (row.Value.Status == SubscriberStatus.Confirmed && row.Value.UsedAt is not null) return ConfirmOutcome.AlreadyConfirmed;
        if (row.Value.UsedAt is not null || row.Value.RevokedAt is not null || row.Value.ExpiresAt <= time.GetUtcNow().UtcDateTime)
            return ConfirmOutcome.ExpiredOrInvalid;
        return ConfirmOutcome.Confirmed;
    }

    /// <summary>
    /// Confirms (the confirm page's button). The token is single use; a second press says "already confirmed".
    /// The welcome mail is written to the outbox in the same transaction.
    /// </summary>
    public async Task<ConfirmOutcome> ConfirmAsync(string? token, IPAddress? ip, CancellationToken cancellationToken)
    {
        if (!ConfirmationToken.LooksValid(token)) return ConfirmOutcome.ExpiredOrInvalid;
        var now = time.GetUtcNow();
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<(long SubscriberId, long? ConsentId, DateTime ExpiresAt, DateTime? UsedAt, DateTime? RevokedAt, string Status, string Email)?>(new CommandDefinition(
            """
            select t.subscriber_id, t.consent_id, t.expires_at, t.used_at, t.revoked_at, s.status, s.email
            from confirmation_tokens t join subscribers s on s.id = t.subscriber_id
            where t.token_hash = @hash
            for update of t, s
            """, new { hash = ConfirmationToken.Hash(token!) }, tx, cancellationToken: cancellationToken));
        if (row is null) return ConfirmOutcome.ExpiredOrInvalid;
        var r = row.Value;
        if (r.UsedAt is not null)
            return r.Status == SubscriberStatus.Confirmed ? ConfirmOutcome.AlreadyConfirmed : ConfirmOutcome.ExpiredOrInvalid;
        if (r.RevokedAt is not null || r.ExpiresAt <= now.UtcDateTime) return ConfirmOutcome.ExpiredOrInvalid;
        if (r.Status != SubscriberStatus.Pending)
        {
            // Confirmed already through a newer link, or suppressed since: the link is spent either way.
            await connection.ExecuteAsync(new CommandDefinition("update confirmation_tokens set used_at = @now where token_hash = @hash",
                new { now, hash = ConfirmationToken.Hash(token!) }, tx, cancellationToken: cancellationToken));
            await tx.CommitAsync(cancellationToken);
            return r.Status == SubscriberStatus.Confirmed ? ConfirmOutcome.AlreadyConfirmed : ConfirmOutcome.ExpiredOrInvalid;
        }

        await connection.ExecuteAsync(new CommandDefinition("update confirmation_tokens set used_at = @now where token_hash = @hash",
            new { now, hash = ConfirmationToken.Hash(token!) }, tx, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            "update subscribers set confirmed_at = @now, soft_bounces = 0 where id = @id", new { now, id = r.SubscriberId }, tx, cancellationToken: cancellationToken));
        await ChangeStatusAsync(connection, tx, r.SubscriberId, r.Status, SubscriberStatus.Confirmed, "confirmed", null, now, cancellationToken);
        if (r.ConsentId is not null)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "update consents set confirmed_at = @now, confirmed_ip = @ip::inet where id = @consentId",
                new { now, ip = ip?.ToString(), consentId = r.ConsentId }, tx, cancellationToken: cancellationToken));
        }
        await Outbox.EnqueueAsync(connection, tx, OutboxKind.Welcome, r.SubscriberId, r.Email, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        SubscriberMetrics.Confirmation();
        return ConfirmOutcome.Confirmed;
    }

    /// <summary>Whether an unsubscribe token is valid, and whether its subscriber is still subscribed (no change).</summary>
    public async Task<UnsubscribeOutcome?> CheckUnsubscribeAsync(string? token, CancellationToken cancellationToken)
    {
        if (!unsubscribeTokens.TryVerify(token, out var subscriberId, out _)) return UnsubscribeOutcome.Invalid;
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var status = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "select status from subscribers where id = @subscriberId", new { subscriberId }, cancellationToken: cancellationToken));
        return status switch
        {
            null or SubscriberStatus.Erased => UnsubscribeOutcome.Invalid,
            SubscriberStatus.Confirmed or SubscriberStatus.Pending => null, // still subscribed: ask
            _ => UnsubscribeOutcome.AlreadyUnsubscribed,
        };
    }

    /// <summary>
    /// Unsubscribes at once: deliveries not yet handed to the relay are skipped in the same transaction, so an
    /// edition that is still sending sends nothing more to this reader. The goodbye mail goes through the outbox.
    /// </summary>
    public async Task<UnsubscribeOutcome> UnsubscribeAsync(string? token, string cause, CancellationToken cancellationToken)
    {
        if (!unsubscribeTokens.TryVerify(token, out var subscriberId, out var editionId)) return UnsubscribeOutcome.Invalid;
        var now = time.GetUtcNow();
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<(string Status, string Email)?>(new CommandDefinition(
            "select status, email from subscribers where id = @subscriberId for update", new { subscriberId }, tx, cancellationToken: cancellationToken));
        if (row is null || row.Value.Status == SubscriberStatus.Erased) return UnsubscribeOutcome.Invalid;
        if (row.Value.Status is not (SubscriberStatus.Confirmed or SubscriberStatus.Pending)) return UnsubscribeOutcome.AlreadyUnsubscribed;

        await ChangeStatusAsync(connection, tx, subscriberId, row.Value.Status, SubscriberStatus.Unsubscribed, cause,
            editionId > 0 ? $"edition {editionId}" : null, now, editionId > 0 ? editionId : null, cancellationToken);
        await departures.LeftAsync(connection, tx, subscriberId, "unsubscribed", cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "update confirmation_tokens set revoked_at = @now where subscriber_id = @subscriberId and used_at is null and revoked_at is null",
            new { now, subscriberId }, tx, cancellationToken: cancellationToken));
        if (row.Value.Status == SubscriberStatus.Confirmed)
            await Outbox.EnqueueAsync(connection, tx, OutboxKind.Goodbye, subscriberId, row.Value.Email, cancellationToken);
        await tx.CommitAsync(cancellationToken);
        SubscriberMetrics.Unsubscribe();
        return UnsubscribeOutcome.Unsubscribed;
    }

    /// <summary>Records a status change with its cause; the caller holds the row lock.</summary>
    public static Task ChangeStatusAsync(NpgsqlConnection connection, NpgsqlTransaction tx, long subscriberId, string from, string to,
        string cause, string? detail, DateTimeOffset now, CancellationToken cancellationToken)
        => ChangeStatusAsync(connection, tx, subscriberId, from, to, cause, detail, now, editionId: null, cancellationToken);

    /// <summary>
    /// Records a status change with its cause and the edition it came from (an unsubscribe through its link, a bounce
    /// of its delivery; the edition report counts them); the caller holds the row lock.
    /// </summary>
    public static async Task ChangeStatusAsync(NpgsqlConnection connection, NpgsqlTransaction tx, long subscriberId, string from, string to,
        string cause, string? detail, DateTimeOffset now, long? editionId, CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync(new CommandDefinition(
            """
            update subscribers set status = @to, status_changed_at = @now where id = @subscriberId;
            insert into subscriber_events (subscriber_id, at, from_status, to_status, cause, detail, edition_id)
            values (@subscriberId, @now, @from, @to, @cause, @detail, @editionId);
            """, new { subscriberId, from, to, cause, detail, now, editionId }, tx, cancellationToken: cancellationToken));
    }

    private static string? Truncate(string? value, int max)
        => value is null ? null : value.Length <= max ? value : value[..max];
}
