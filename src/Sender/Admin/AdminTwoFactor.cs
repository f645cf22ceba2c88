using System.Security.Cryptography;
using System.Text;
using Dapper;
using Microsoft.AspNetCore.DataProtection;
using Npgsql;
using OtpNet;
using QRCoder;

namespace Newsletter.Sender.Admin;

/// <summary>
/// TOTP two-factor sign-in for admins (RFC 6238: SHA-1, 6 digits, 30 s steps, one step of drift either way). The key is
/// stored protected with Data Protection and shown once, at enrolment; a code is accepted only for a time step later
/// than the last one accepted (so each works once, on any instance); ten recovery codes are stored as hashes and each
/// works once. Nothing here logs a key or a code.
/// </summary>
public sealed class AdminTwoFactor(NpgsqlDataSource db, IDataProtectionProvider protection, TimeProvider time)
{
    public const int RecoveryCodeCount = 10;
    private static readonly VerificationWindow Drift = new(previous: 1, future: 1);
    private readonly IDataProtector protector = protection.CreateProtector("Newsletter.Admin.TwoFactor.v1");

    /// <summary>Whether <paramref name="user"/> has a confirmed key (then a password alone does not sign in).</summary>
    public async Task<bool> IsEnrolledAsync(string user, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "select exists (select 1 from admin_two_factor where user_name = @user and secret is not null)", new { user }, cancellationToken: ct));
    }

    /// <summary>How many unused recovery codes <paramref name="user"/> has left; null when not enrolled.</summary>
    public async Task<(DateTime ConfirmedAt, int CodesLeft)?> StatusAsync(string user, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<(DateTime, int)?>(new CommandDefinition(
            """
            select t.confirmed_at, (select count(*)::int from admin_recovery_codes c where c.user_name = t.user_name and c.used_at is null)
              from admin_two_factor t where t.user_name = @user and t.secret is not null
            """, new { user }, cancellationToken: ct));
    }

    /// <summary>
    /// Starts an enrolment: a new random key, stored protected as pending until <see cref="ConfirmAsync"/>. A confirmed key
    /// stays in force meanwhile. The returned key is not kept anywhere readable: show it once.
    /// </summary>
    public async Task<TwoFactorEnrolment> BeginEnrolmentAsync(string user, string issuer, CancellationToken ct)
    {
        var key = KeyGeneration.GenerateRandomKey(20);
        var text = Base32Encoding.ToString(key);
        await using (var connection = await db.OpenConnectionAsync(ct))
        {
            await connection.ExecuteAsync(new CommandDefinition(
                """
                insert into admin_two_factor (user_name, pending_secret) values (@user, @secret)
                on conflict (user_name) do update set pending_secret = excluded.pending_secret, updated_at = now()
                """, new { user, secret = protector.Protect(text) }, cancellationToken: ct));
        }
        var label = Uri.EscapeDataString(issuer) + ":" + Uri.EscapeDataString(user);
        var uri = $"otpauth://totp/{label}?secret={text}&issuer={Uri.EscapeDataString(issuer)}&algorithm=SHA1&digits=6&period=30";
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(uri, QRCodeGenerator.ECCLevel.M);
        var png = new PngByteQRCode(data).GetGraphic(5);
        return new TwoFactorEnrolment(Grouped(text, ' '), uri, "data:image/png;base64," + Convert.ToBase64String(png));
    }

    /// <summary>
    /// Confirms the pending key with a code from the app: the key takes effect, earlier recovery codes are replaced and
    /// ten new ones returned (to show once). Null when the code does not match.
    /// </summary>
    public async Task<IReadOnlyList<string>?> ConfirmAsync(string user, string code, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var pending = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "select pending_secret from admin_two_factor where user_name = @user for update", new { user }, tx, cancellationToken: ct));
        if (pending is null || Step(Unprotect(pending), code) is not { } step) return null;
        await connection.ExecuteAsync(new CommandDefinition(
            """
            update admin_two_factor set secret = pending_secret, pending_secret = null, last_step = @step, confirmed_at = now(), updated_at = now()
             where user_name = @user;
            delete from admin_recovery_codes where user_name = @user;
            """, new { user, step }, tx, cancellationToken: ct));
        var codes = Enumerable.Range(0, RecoveryCodeCount).Select(_ => NewRecoveryCode()).ToList();
        await connection.ExecuteAsync(new CommandDefinition(
            "insert into admin_recovery_codes (user_name, code_hash) select @user, unnest(@hashes)",
            new { user, hashes = codes.Select(HashRecoveryCode).ToArray() }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return codes;
    }

    /// <summary>
    /// Checks a sign-in code: six digits against the confirmed key (a step later than the last accepted one), anything
    /// else as a recovery code (then spent). True once per code.
    /// </summary>
    public async Task<bool> VerifyAsync(string user, string code, CancellationToken ct)
    {
        var normalized = Normalize(code);
        await using var connection = await db.OpenConnectionAsync(ct);
        if (normalized.Length == 6 && normalized.All(char.IsAsciiDigit))
        {
            var secret = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
                "select secret from admin_two_factor where user_name = @user", new { user }, cancellationToken: ct));
            if (secret is null || Step(Unprotect(secret), normalized) is not { } step) return false;
            // The step only moves forward, in one statement: the same code raced from two instances signs in once.
            return await connection.ExecuteAsync(new CommandDefinition(
                "update admin_two_factor set last_step = @step where user_name = @user and secret is not null and last_step < @step",
                new { user, step }, cancellationToken: ct)) == 1;
        }
        return await connection.ExecuteAsync(new CommandDefinition(
            """
            update admin_recovery_codes c set used_at = now()
              from admin_two_factor t
             where c.user_name = @user and c.code_hash = @hash and c.used_at is null and t.user_name = c.user_name and t.secret is not null
            """, new { user, hash = HashRecoveryCode(normalized) }, cancellationToken: ct)) == 1;
    }

    private long? Step(byte[] key, string code)
    {
        var normalized = Normalize(code);
        if (normalized.Length != 6) return null;
        var totp = new Totp(key);
        return totp.VerifyTotp(time.GetUtcNow().UtcDateTime, normalized, out var step, Drift) ? step : null;
    }

    private byte[] Unprotect(string stored) => Base32Encoding.ToBytes(protector.Unprotect(stored));

    private static string Normalize(string code) => new([.. code.Where(char.IsAsciiLetterOrDigit).Select(char.ToUpperInvariant)]);

    /// <summary>16 characters from 31 unambiguous ones (79 bits), shown as four groups: <c>ABCD-EFGH-JKMN-PQRS</c>.</summary>
    private static string NewRecoveryCode()
    {
        const string alphabet = "ABCDEFGHJKMNPQRSTVWXYZ0123456789";
        Span<char> chars = stackalloc char[16];
        for (var i = 0; i < chars.Length; i++) chars[i] = alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
        return Grouped(new string(chars), '-');
    }

    private static byte[] HashRecoveryCode(string code) => SHA256.HashData(Encoding.UTF8.GetBytes("newsletter-admin-recovery\n" + Normalize(code)));

    private static string Grouped(string text, char separator) => string.Join(separator, text.Chunk(4).Select(c => new string(c)));
}
