using Dapper;
using Microsoft.AspNetCore.DataProtection;
using Newsletter.Sender.Admin;
using Newsletter.Sender.Tests.Infrastructure;
using Npgsql;
using OtpNet;

namespace Newsletter.Sender.Tests.Admin;

/// <summary>
/// The TOTP rules on a real database with a clock the test sets: one step of drift either way and no more, each code
/// once, recovery codes once, an unconfirmed key signs nobody in, the stored key is not the key.
/// </summary>
public sealed class AdminTwoFactorTests
{
    private const string User = "alice";

    [Fact]
    public async Task Codes_allow_one_step_of_drift_work_once_and_recovery_codes_work_once()
    {
        await using var db = NpgsqlDataSource.Create(await TestDatabases.CreateAsync());
        var clock = new SetClock(new DateTimeOffset(2026, 12, 2, 1, 0, 5, TimeSpan.Zero));
        var twoFactor = new AdminTwoFactor(db, new EphemeralDataProtectionProvider(), clock);

        var enrolment = await twoFactor.BeginEnrolmentAsync(User, "Weekly AI Tool Verdicts", CancellationToken.None);
        var key = Base32Encoding.ToBytes(enrolment.Key.Replace(" ", "", StringComparison.Ordinal));
        var totp = new Totp(key);
        Assert.StartsWith("otpauth://totp/Weekly%20AI%20Tool%20Verdicts:alice?secret=", enrolment.OtpAuthUri, StringComparison.Ordinal);
        Assert.StartsWith("data:image/png;base64,", enrolment.QrCodeDataUri, StringComparison.Ordinal);
        await using (var c = await db.OpenConnectionAsync())
        {
            var stored = await c.ExecuteScalarAsync<string>("select pending_secret from admin_two_factor where user_name = @User", new { User });
            Assert.DoesNotContain(enrolment.Key.Replace(" ", "", StringComparison.Ordinal), stored!, StringComparison.Ordinal);
        }
        Assert.False(await twoFactor.IsEnrolledAsync(User, CancellationToken.None));
        Assert.False(await twoFactor.VerifyAsync(User, totp.ComputeTotp(clock.Now.UtcDateTime), CancellationToken.None)); // not confirmed yet

        Assert.Null(await twoFactor.ConfirmAsync(User, new Totp(KeyGeneration.GenerateRandomKey(20)).ComputeTotp(clock.Now.UtcDateTime), CancellationToken.None));
        var codes = await twoFactor.ConfirmAsync(User, totp.ComputeTotp(clock.Now.UtcDateTime), CancellationToken.None);
        Assert.NotNull(codes);
        Assert.Equal(10, codes.Distinct().Count());
        Assert.True(await twoFactor.IsEnrolledAsync(User, CancellationToken.None));

        // The confirming code's step is spent; the next step (the app, 30 s later) works once.
        Assert.False(await twoFactor.VerifyAsync(User, totp.ComputeTotp(clock.Now.UtcDateTime), CancellationToken.None));
        clock.Now += TimeSpan.FromSeconds(30);
        var next = totp.ComputeTotp(clock.Now.UtcDateTime);
        Assert.True(await twoFactor.VerifyAsync(User, next, CancellationToken.None));
        Assert.False(await twoFactor.VerifyAsync(User, next, CancellationToken.None));

        // A phone one step ahead is accepted, two steps ahead is not; an old code never again.
        Assert.True(await twoFactor.VerifyAsync(User, totp.ComputeTotp(clock.Now.UtcDateTime.AddSeconds(30)), CancellationToken.None));
        clock.Now += TimeSpan.FromSeconds(60);
        Assert.False(await twoFactor.VerifyAsync(User, totp.ComputeTotp(clock.Now.UtcDateTime.AddSeconds(60)), CancellationToken.None));
        Assert.True(await twoFactor.VerifyAsync(User, totp.ComputeTotp(clock.Now.UtcDateTime), CancellationToken.None));
        Assert.False(await twoFactor.VerifyAsync(User, next, CancellationToken.None));

        // Recovery codes: any case and separators, once each.
        Assert.True(await twoFactor.VerifyAsync(User, codes[0].ToLowerInvariant().Replace("-", " ", StringComparison.Ordinal), CancellationToken.None));
        Assert.False(await twoFactor.VerifyAsync(User, codes[0], CancellationToken.None));
        Assert.True(await twoFactor.VerifyAsync(User, codes[9], CancellationToken.None));
        Assert.False(await twoFactor.VerifyAsync(User, "AAAA-BBBB-CCCC-DDDD", CancellationToken.None));
        Assert.Equal(8, (await twoFactor.StatusAsync(User, CancellationToken.None))!.Value.CodesLeft);
        Assert.False(await twoFactor.VerifyAsync("bob", codes[1], CancellationToken.None));
    }

    /// <summary>A wall clock the test moves.</summary>
    private sealed class SetClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
