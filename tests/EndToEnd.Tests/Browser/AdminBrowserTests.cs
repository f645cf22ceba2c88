using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Dapper;
using Microsoft.Playwright;
using Newsletter.Sender.Admin;
using Newsletter.TestSupport;
using Npgsql;
using static Microsoft.Playwright.Assertions;

namespace Newsletter.EndToEnd.Tests.Browser;

/// <summary>
/// The admin console in Debian's headless Chromium (driven by Playwright, never a downloaded browser), against the
/// real service as a process with Postfix's smtp-sink as its SMTP server. Screenshots of every page are written to
/// a temporary folder, or to docs/screenshots when UPDATE_SCREENSHOTS=1.
/// </summary>
[Trait("Category", "Slow")] // a real service process, real time
public sealed class AdminBrowserTests
{
    private const string Chromium = "/usr/bin/chromium";
    private const string User = "editor";
    private const string Password = "a long admin passphrase";

    [Fact]
    public async Task An_admin_signs_in_previews_tests_sends_watches_the_progress_and_erases_a_subscriber()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: ./test.sh installs Debian's chromium package");
        using var sink = SmtpSink.Start();
        var connectionString = await TestDatabases.CreateAsync();
        var port = ServiceProcess.FreePort();
        var environment = ServiceProcess.Settings(connectionString, port);
        environment["Smtp__Mode"] = "Smtp";
        environment["Smtp__Host"] = sink.Host;
        environment["Smtp__Port"] = sink.Port.ToString(CultureInfo.InvariantCulture);
        environment["Smtp__Security"] = "None";
        environment["Admin__Users__0__Name"] = User;
        environment["Admin__Users__0__PasswordHash"] = PasswordHasher.Hash(Password);
        environment["Admin__RequireHttps"] = "false"; // Chromium talks plain HTTP to 127.0.0.1, with no proxy in between
        await using var service = await ServiceProcess.StartAsync(environment);
        await using var db = NpgsqlDataSource.Create(connectionString);
        await SeedAsync(service, db);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        });
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = service.BaseUrl.ToString().TrimEnd('/'), ViewportSize = new ViewportSize { Width = 1280, Height = 900 }, ColorScheme = ColorScheme.Light,
        });
        var page = await context.NewPageAsync();
        var cspViolations = new List<string>();
        page.Console += (_, m) => { if (m.Text.Contains("Content Security Policy", StringComparison.Ordinal)) cspViolations.Add(m.Text); };
        try
        {
            await JourneyAsync(page, sink, db);
            Assert.Empty(cspViolations);
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            throw new Xunit.Sdk.XunitException($"{e.GetType().Name}: {e.Message}\n--- service output ---\n{service.Output}", e);
        }
    }

    private static async Task JourneyAsync(IPage page, SmtpSink sink, NpgsqlDataSource db)
    {
        // 1. The console sends a stranger to the login form; the admin signs in.
        await page.GotoAsync("/admin/preview");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/admin/login\\?returnUrl="));
        await ShotAsync(page, "login");
        await page.GetByLabel("User name").FillAsync(User);
        await page.GetByLabel("Password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/admin/preview$"));

        // 2. The preview shows both comparisons in the email itself.
        var desktop = page.FrameLocator("iframe[title='Email preview, 600 px, light']");
        await Expect(desktop.Locator("text=Codestral 2 >> visible=true").First).ToBeVisibleAsync();
        await Expect(desktop.Locator("text=Whisperline 3 >> visible=true").First).ToBeVisibleAsync();
        await Expect(page.FrameLocator("iframe[title='Email preview, 375 px, dark']").Locator("text=Whisperline 3 >> visible=true").First).ToBeVisibleAsync();
        await Expect(page.Locator("pre.headers")).ToContainTextAsync("List-Unsubscribe-Post: List-Unsubscribe=One-Click");
        // Chromium does not paint cross-origin frames while they are off screen: make the viewport as tall as the page.
        var height = await page.EvaluateAsync<int>("document.documentElement.scrollHeight");
        await page.SetViewportSizeAsync(1280, height);
        foreach (var frame in await page.Locator("iframe").AllAsync())
            await Expect(frame.ContentFrame.Locator("text=Whisperline 3 >> visible=true").First).ToBeVisibleAsync();
        await page.WaitForTimeoutAsync(500);
        await ShotAsync(page, "preview");
        await page.SetViewportSizeAsync(1280, 900);

        // 3. A test goes to two addresses through the SMTP server, marked as a test.
        await page.GetByLabel("Addresses").FillAsync("qa@example.com, lead@example.com");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send test" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("2 test copies were sent");
        var tests = sink.WaitForMessages(2, TimeSpan.FromSeconds(20))
            .Where(m => m.Message.Contains("X-Newsletter-Test: yes", StringComparison.Ordinal)).ToList();
        Assert.Contains(tests, m => m.Recipients.Any(r => r.Contains("<qa@example.com>", StringComparison.Ordinal)));
        Assert.Contains(tests, m => m.Recipients.Any(r => r.Contains("<lead@example.com>", StringComparison.Ordinal)));
        var test = ParsedEmail.Parse(tests[0].MessageBytes);
        Assert.StartsWith("[TEST] ", test.Header("Subject"), StringComparison.Ordinal);
        Assert.Contains("Codestral 2", test.Html!, StringComparison.Ordinal);
        Assert.Equal(0L, await ScalarAsync<long>(db, "select count(*) from editions where state not in ('draft')"));

        await page.GotoAsync("/admin/preview/spam");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Spam check" })).ToBeVisibleAsync();
        await ShotAsync(page, "spam-check");

        // 4. Send now, through the confirmation step; the progress bar reaches 100 % live.
        await page.GotoAsync("/admin/preview");
        await page.GetByRole(AriaRole.Link, new() { Name = "Send now…" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Send the edition now?" })).ToBeVisibleAsync();
        await ShotAsync(page, "send-confirm");
        await page.GetByLabel("Yes, send it").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Send now" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/admin/editions/\\d+$"));
        await Expect(page.Locator("[data-field=percent]")).ToHaveTextAsync("100 %", new() { Timeout = 60_000 });
        await Expect(page.Locator(".progress")).Not.ToHaveAttributeAsync("data-reload-when-done", "true", new() { Timeout = 15_000 }); // reloaded once finished
        await Expect(page.Locator("td .badge").First).ToHaveTextAsync("sent");
        var confirmed = await ScalarAsync<long>(db, "select count(*) from subscribers where status = 'confirmed'");
        await Expect(page.Locator("[data-field=sent]")).ToHaveTextAsync(confirmed.ToString(CultureInfo.InvariantCulture));
        await ShotAsync(page, "edition");
        await page.GotoAsync("/admin/editions");
        await ShotAsync(page, "editions");
        await page.GotoAsync("/admin");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Recent editions" })).ToBeVisibleAsync();
        await ShotAsync(page, "dashboard");

        // 5. Find a subscriber, look at the record, erase it.
        await page.GotoAsync("/admin/subscribers");
        await ShotAsync(page, "subscribers");
        await page.GetByLabel("Address contains").FillAsync("reader@");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "reader@example.com" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Consent record" })).ToBeVisibleAsync();
        await ShotAsync(page, "subscriber");
        await page.GetByRole(AriaRole.Link, new() { Name = "Erase…" }).ClickAsync();
        await ShotAsync(page, "erase-confirm");
        await page.GetByLabel("Yes, erase this subscriber").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Erase" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("erased");
        Assert.Equal(0L, await ScalarAsync<long>(db, "select count(*) from subscribers where email_key = 'reader@example.com'"));
        Assert.Equal(1L, await ScalarAsync<long>(db, "select count(*) from subscribers where status = 'erased'"));

        // 6. The other pages render.
        await page.GotoAsync("/admin/comparisons");
        await Expect(page.GetByText("Codestral 2 vs Mistral 8x24B").First).ToBeVisibleAsync();
        await ShotAsync(page, "comparisons");
        await page.GotoAsync("/admin/jobs/recurring");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Recurring Jobs" })).ToBeVisibleAsync();
        await ShotAsync(page, "jobs");
        await page.EmulateMediaAsync(new PageEmulateMediaOptions { ColorScheme = ColorScheme.Dark });
        await page.GotoAsync("/admin");
        await ShotAsync(page, "dashboard-dark");
        await page.EmulateMediaAsync(new PageEmulateMediaOptions { ColorScheme = ColorScheme.Light });
        await page.SetViewportSizeAsync(390, 844);
        await page.GotoAsync("/admin");
        await ShotAsync(page, "dashboard-mobile");
    }

    /// <summary>Two fresh comparisons through the API; subscribers across twelve weeks, straight into the database.</summary>
    private static async Task SeedAsync(ServiceProcess service, NpgsqlDataSource db)
    {
        using var api = new HttpClient { BaseAddress = service.BaseUrl };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ServiceProcess.ApiKey);
        var samples = Path.Combine(RepositoryRoot.Find(), "samples", "comparisons");
        foreach (var (file, published, minutes) in new[] { ("01-codestral-2-vs-mistral-8x24b.json", "2026-11-21T14:00:00+00:00", 2), ("02-whisperline-3-vs-echoscribe-pro.json", "2026-11-20T09:30:00+00:00", 3) })
        {
            var json = (await File.ReadAllTextAsync(Path.Combine(samples, file))).Replace(published, DateTimeOffset.UtcNow.AddMinutes(-minutes).ToString("O"), StringComparison.Ordinal);
            using var response = await api.PostAsync("/api/comparisons", new StringContent(json, Encoding.UTF8, "application/json"));
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        }
        await using var c = await db.OpenConnectionAsync();
        await c.ExecuteAsync(
            """
            insert into subscribers (email, email_key, status, created_at, confirmed_at)
            select 'reader' || case when n = 1 then '' else n::text end || '@example.com', 'reader' || case when n = 1 then '' else n::text end || '@example.com',
                   'confirmed', now() - make_interval(days => (n * 37) % 80 + 1), now() - make_interval(days => (n * 37) % 80)
              from generate_series(1, 40) n;
            insert into subscribers (email, email_key, status) select 'pending' || n || '@example.com', 'pending' || n || '@example.com', 'pending' from generate_series(1, 4) n;
            insert into subscribers (email, email_key, status) values ('left@example.com', 'left@example.com', 'unsubscribed'), ('gone@example.com', 'gone@example.com', 'bounced');
            insert into consents (subscriber_id, signed_up_at, ip, user_agent, source, consent_version, confirmed_at, confirmed_ip)
            select id, created_at, '198.51.100.7', 'Mozilla/5.0 (X11; Linux x86_64)', 'comparison/codestral-2-vs-mistral-8x24b', '2026-11-v1', confirmed_at, '198.51.100.7'
              from subscribers where status = 'confirmed';
            insert into subscriber_events (subscriber_id, at, from_status, to_status, cause)
            select id, created_at, null, 'pending', 'signup' from subscribers where status = 'confirmed'
            union all select id, confirmed_at, 'pending', 'confirmed', 'confirmation link' from subscribers where status = 'confirmed';
            """);
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlDataSource db, string sql)
    {
        await using var c = await db.OpenConnectionAsync();
        return (await c.ExecuteScalarAsync<T>(sql))!;
    }

    private static async Task ShotAsync(IPage page, string name)
    {
        var dir = Environment.GetEnvironmentVariable("UPDATE_SCREENSHOTS") == "1"
            ? Path.Combine(RepositoryRoot.Find(), "docs", "screenshots")
            : Path.Combine(Path.GetTempPath(), "newsletter-admin-screenshots");
        Directory.CreateDirectory(dir);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(dir, $"admin-{name}.png"), FullPage = true });
    }
}
