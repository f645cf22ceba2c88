using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Newsletter.TestSupport;
using Npgsql;
using static Microsoft.Playwright.Assertions;

namespace Newsletter.EndToEnd.Tests.Browser;

/// <summary>
/// The reader's pages in Debian's headless Chromium against the real service as a process: the signup page framed by
/// the comparison site (and refused elsewhere), the confirmation link opened and its button pressed.
/// </summary>
[Trait("Category", "Slow")] // a real service process, real time
public sealed partial class PublicPagesBrowserTests
{
    private const string Chromium = "/usr/bin/chromium";

    [Fact]
    public async Task The_comparison_site_frames_the_signup_page_another_site_cannot_and_the_confirm_button_confirms()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: ./test.sh installs Debian's chromium package");
        var connectionString = await TestDatabases.CreateAsync();
        var port = ServiceProcess.FreePort();
        // Two sites on loopback like the service (Chromium blocks a public page framing a local one): the comparison
        // site and another one, each a page that frames our signup page.
        using var comparisonSite = FramingSite.Start(new Uri($"http://127.0.0.1:{port}/subscribe"));
        using var otherSite = FramingSite.Start(new Uri($"http://127.0.0.1:{port}/subscribe"));
        var environment = ServiceProcess.Settings(connectionString, port);
        environment["Site__ComparisonBaseUrl"] = comparisonSite.Url;
        var outbox = environment["Smtp__PickupDirectory"]!;
        if (Directory.Exists(outbox)) Directory.Delete(outbox, recursive: true);
        await using var service = await ServiceProcess.StartAsync(environment);
        await using var db = NpgsqlDataSource.Create(connectionString);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        });
        await using var context = await browser.NewContextAsync();
        var console = new ConcurrentQueue<string>();
        var page = await context.NewPageAsync();
        page.Console += (_, m) => console.Enqueue(m.Text);
        try
        {
            // 1. Framed by the comparison site, the signup page shows and its form works inside the frame.
            await page.GotoAsync(comparisonSite.Url + "/codestral-vs-mistral");
            var frame = page.FrameLocator("iframe[title=signup]");
            await Expect(frame.Locator("h1")).ToContainTextAsync("Weekly AI Tool Verdicts");
            await frame.Locator("input[type=email]").FillAsync("framed.reader@example.com");
            await frame.Locator("button[type=submit]").ClickAsync();
            await Expect(frame.Locator("h1")).ToContainTextAsync("Check your inbox");
            Assert.DoesNotContain(console, m => m.Contains("Content Security Policy", StringComparison.Ordinal));

            // 2. Any other site gets nothing: the browser refuses to render the frame.
            await page.GotoAsync(otherSite.Url + "/copycat");
            Assert.True(await Eventually.TrueAsync(() => console.Any(m => m.Contains("frame-ancestors", StringComparison.Ordinal)), TimeSpan.FromSeconds(15)),
                "no frame-ancestors refusal in the console:\n" + string.Join("\n", console));
            var other = page.Frames.Single(f => f != page.MainFrame);
            Assert.Equal(0, await other.Locator("input[type=email]").CountAsync());
            Assert.DoesNotContain("Weekly AI Tool Verdicts", await other.ContentAsync(), StringComparison.Ordinal);
            console.Clear();

            // 3. The confirmation link opens a page with one button; opening it confirms nothing, pressing it does.
            var link = await ConfirmLinkAsync(outbox);
            await page.GotoAsync(link);
            await Expect(page.Locator("h1")).ToContainTextAsync("Confirm your subscription");
            await page.ReloadAsync();
            Assert.Equal("pending", await StatusAsync(db, "framed.reader@example.com"));
            await page.Locator("form button").ClickAsync();
            await Expect(page.Locator("h1")).ToContainTextAsync("You're subscribed");
            Assert.Equal("confirmed", await StatusAsync(db, "framed.reader@example.com"));
            Assert.DoesNotContain(console, m => m.Contains("Content Security Policy", StringComparison.Ordinal));
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException)
        {
            throw new Xunit.Sdk.XunitException($"{e.GetType().Name}: {e.Message}\n--- console ---\n{string.Join("\n", console)}\n--- service output ---\n{service.Output}", e);
        }
    }

    /// <summary>A site on a loopback port whose every page frames <c>target</c>.</summary>
    private sealed class FramingSite : IDisposable
    {
        private readonly HttpListener listener;

        private FramingSite(HttpListener listener, string url)
        {
            this.listener = listener;
            Url = url;
        }

        public string Url { get; }

        public static FramingSite Start(Uri target)
        {
            var url = $"http://127.0.0.1:{ServiceProcess.FreePort()}";
            var listener = new HttpListener();
            listener.Prefixes.Add(url + "/");
            listener.Start();
            var page = Encoding.UTF8.GetBytes(
                $"<!DOCTYPE html><html><body><h1>A comparison</h1><iframe title=\"signup\" src=\"{target}\" width=\"600\" height=\"600\"></iframe></body></html>");
            _ = Task.Run(async () =>
            {
                while (listener.IsListening)
                {
                    HttpListenerContext request;
                    try { request = await listener.GetContextAsync(); }
                    catch (Exception e) when (e is HttpListenerException or ObjectDisposedException) { return; }
                    request.Response.ContentType = "text/html; charset=utf-8";
                    await request.Response.OutputStream.WriteAsync(page);
                    request.Response.Close();
                }
            });
            return new FramingSite(listener, url);
        }

        public void Dispose() => listener.Close();
    }

    private static async Task<string> ConfirmLinkAsync(string outbox)
    {
        string? link = null;
        Assert.True(await Eventually.TrueAsync(async () =>
        {
            var file = Directory.Exists(outbox) ? Directory.GetFiles(outbox, "*.eml").FirstOrDefault() : null;
            if (file is null) return false;
            link = ConfirmLink().Match(ParsedEmail.Parse(await File.ReadAllBytesAsync(file)).Text!).Value;
            return link.Length > 0;
        }, TimeSpan.FromSeconds(30)), "no confirmation mail in " + outbox);
        return link!;
    }

    private static async Task<string?> StatusAsync(NpgsqlDataSource db, string emailKey)
    {
        await using var command = db.CreateCommand("select status from subscribers where email_key = $1");
        command.Parameters.AddWithValue(emailKey);
        return (string?)await command.ExecuteScalarAsync();
    }

    [GeneratedRegex(@"http://127\.0\.0\.1:\d+/confirm/[A-Za-z0-9_-]{43}")]
    private static partial Regex ConfirmLink();
}
