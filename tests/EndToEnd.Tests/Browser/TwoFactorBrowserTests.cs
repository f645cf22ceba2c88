using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Playwright;
using Newsletter.Sender.Admin;
using Newsletter.TestSupport;
using Npgsql;
using OtpNet;
using static Microsoft.Playwright.Assertions;

namespace Newsletter.EndToEnd.Tests.Browser;

/// <summary>
/// Two-factor sign-in in Debian's headless Chromium against the real service: with <c>Admin__RequireTwoFactor</c> the
/// first sign-in enrols (the key read off the page, codes computed with Otp.NET as an authenticator app would), then
/// signs in with a code, refuses that code a second time, and signs in with a recovery code once.
/// </summary>
[Trait("Category", "Slow")] // a real service process, real time
public sealed class TwoFactorBrowserTests
{
    private const string Chromium = "/usr/bin/chromium";
    private const string User = "guardian";
    private const string Password = "another long admin passphrase";

    [Fact]
    public async Task An_admin_enrols_then_signs_in_with_a_code_and_with_a_recovery_code_and_a_reused_code_is_refused()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: ./test.sh installs Debian's chromium package");
        var connectionString = await TestDatabases.CreateAsync();
        var environment = ServiceProcess.Settings(connectionString, ServiceProcess.FreePort());
        environment["Admin__Users__0__Name"] = User;
        environment["Admin__Users__0__PasswordHash"] = PasswordHasher.Hash(Password);
        environment["Admin__RequireHttps"] = "false"; // plain HTTP on 127.0.0.1, no proxy
        environment["Admin__RequireTwoFactor"] = "true";
        await using var service = await ServiceProcess.StartAsync(environment);
        await using var db = NpgsqlDataSource.Create(connectionString);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        });
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = service.BaseUrl.ToString().TrimEnd('/') });
        var page = await context.NewPageAsync();
        try
        {
            await JourneyAsync(page, db);
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            throw new Xunit.Sdk.XunitException($"{e.GetType().Name}: {e.Message}\n--- service output ---\n{service.Output}", e);
        }
        Assert.DoesNotContain("otpauth", service.Output, StringComparison.Ordinal);
    }

    private static async Task JourneyAsync(IPage page, NpgsqlDataSource db)
    {
        // 1. The password alone does not open the console: enrolment is required first.
        await SignInWithPasswordAsync(page);
        await Expect(page).ToHaveURLAsync(new Regex("/admin/two-factor$"));
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("required");
        var dashboard = await page.APIRequest.GetAsync("/admin", new() { MaxRedirects = 0 });
        Assert.Equal(302, dashboard.Status);
        await page.GetByRole(AriaRole.Button, new() { Name = "Set up two-factor sign-in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Img, new() { Name = "QR code of the two-factor key" })).ToBeVisibleAsync();
        var keyText = await page.Locator("[data-field=key]").InnerTextAsync();
        var totp = new Totp(Base32Encoding.ToBytes(keyText.Replace(" ", "", StringComparison.Ordinal)));
        var stored = await ScalarAsync<string>(db, "select pending_secret from admin_two_factor where user_name = 'guardian'");
        Assert.DoesNotContain(keyText.Replace(" ", "", StringComparison.Ordinal), stored, StringComparison.Ordinal); // protected, not the key

        // 2. Confirming with the app's current code turns it on and shows ten recovery codes once.
        await page.GetByLabel("Code from the app").FillAsync(totp.ComputeTotp(DateTime.UtcNow));
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Two-factor sign-in is on");
        var recovery = await page.Locator("[data-field=recovery-code]").AllInnerTextsAsync();
        Assert.Equal(10, recovery.Count);
        Assert.Equal(10L, await ScalarAsync<long>(db, "select count(*) from admin_recovery_codes where user_name = 'guardian' and used_at is null"));
        await page.GetByRole(AriaRole.Link, new() { Name = "Continue to the console" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Dashboard" })).ToBeVisibleAsync();
        await SignOutAsync(page);

        // 3. Password, then the app's code. The current step was spent on the confirmation; the next one (within the ±1
        // step of drift the service allows) is what the app shows a few seconds later.
        var code = totp.ComputeTotp(DateTime.UtcNow.AddSeconds(30));
        await SignInWithPasswordAsync(page);
        await Expect(page).ToHaveURLAsync(new Regex("/admin/login/code$"));
        await page.GetByLabel("Authentication code").FillAsync(code);
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Dashboard" })).ToBeVisibleAsync();
        await SignOutAsync(page);

        // 4. The same code again is refused.
        await SignInWithPasswordAsync(page);
        await page.GetByLabel("Authentication code").FillAsync(code);
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("already used");
        await Expect(page).ToHaveURLAsync(new Regex("/admin/login/code$"));

        // 5. A recovery code signs in, once.
        await page.GetByLabel("Authentication code").FillAsync(recovery[3]);
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Dashboard" })).ToBeVisibleAsync();
        await SignOutAsync(page);
        await SignInWithPasswordAsync(page);
        await page.GetByLabel("Authentication code").FillAsync(recovery[3]);
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("already used");
        Assert.Equal(9L, await ScalarAsync<long>(db, "select count(*) from admin_recovery_codes where user_name = 'guardian' and used_at is null"));
    }

    private static async Task SignInWithPasswordAsync(IPage page)
    {
        await page.GotoAsync("/admin/login");
        await page.GetByLabel("User name").FillAsync(User);
        await page.GetByLabel("Password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    private static async Task SignOutAsync(IPage page)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/admin/login"));
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlDataSource db, string sql)
    {
        await using var c = await db.OpenConnectionAsync();
        return (await c.ExecuteScalarAsync<T>(sql))!;
    }
}
