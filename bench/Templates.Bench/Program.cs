using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Newsletter.Templates;
using Newsletter.Templates.Pages;

// Usage:
//   Templates.Bench                 measure edition rendering and the per-recipient step
//   Templates.Bench render <dir>    write every sample email (HTML + text) to <dir> (used by scripts/screenshots.sh)
var samples = SampleComparisons.Load(SampleComparisons.FindDirectory(AppContext.BaseDirectory));
var site = new SiteInfo("Weekly AI Tool Verdicts", "https://news.example.com", "https://aitoolverdicts.example",
                        "Example Media Ltd, 12 Sample Street, London EC1A 1AA, United Kingdom", "verdicts@news.example.com");
var markers = new PersonalSlots("{{{k3j4.unsubscribe_url}}}", "{{{k3j4.email}}}");
var model = new EditionEmailModel(site, 42, new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero), samples, markers,
                                  "https://news.example.com/editions/42");

await using var sp = new ServiceCollection().AddLogging().BuildServiceProvider();
await using var renderer = new EmailRenderer(sp, NullLoggerFactory.Instance);

if (args.Length >= 2 && args[0] == "render")
{
    var dir = Directory.CreateDirectory(args[1]).FullName;
    var recipient = new PersonalSlots("https://news.example.com/unsubscribe/3fa85f64c3bd4e2b", "reader@example.org");
    var edition = await renderer.RenderEditionAsync(model);
    // One recipient's copy: the markers replaced by that recipient's values (HTML-escaped in HTML), as the mail merge does.
    await Write("edition", edition with
    {
        Html = edition.Html.Replace(markers.UnsubscribeUrl, System.Net.WebUtility.HtmlEncode(recipient.UnsubscribeUrl), StringComparison.Ordinal)
            .Replace(markers.Email, System.Net.WebUtility.HtmlEncode(recipient.Email), StringComparison.Ordinal),
        Text = edition.Text.Replace(markers.UnsubscribeUrl, recipient.UnsubscribeUrl, StringComparison.Ordinal)
            .Replace(markers.Email, recipient.Email, StringComparison.Ordinal),
    });
    await Write("edition-web", await renderer.RenderEditionWebAsync(site, 42, model.Date, samples, model.ArchiveUrl));
    await Write("confirmation", await renderer.RenderConfirmationAsync(new ConfirmationEmailModel(site,
        "https://news.example.com/confirm/Zm9vYmFyYmF6cXV4", TimeSpan.FromHours(48), "reader@example.org")));
    await Write("welcome", await renderer.RenderWelcomeAsync(new WelcomeEmailModel(site, "https://news.example.com/editions/42",
        "every Monday at 09:00 UTC", "https://news.example.com/unsubscribe/3fa85f64c3bd4e2b")));
    await Write("goodbye", await renderer.RenderGoodbyeAsync(new GoodbyeEmailModel(site, "https://news.example.com/")));

    var web = await renderer.RenderEditionWebAsync(site, 42, model.Date, samples, model.ArchiveUrl);
    await Page<SignupPage>("page-signup", new() { ["Source"] = "preview" });
    await Page<SignupPage>("page-signup-error", new() { ["Email"] = "reader@example", ["ErrorMessage"] = "That doesn't look like a complete email address." });
    await Page<CheckInboxPage>("page-check-inbox", new() { ["Email"] = "reader@example.org" });
    await Page<ConfirmResultPage>("page-confirmed", new() { ["Outcome"] = ConfirmPageState.Confirmed, ["LatestEditionUrl"] = model.ArchiveUrl });
    await Page<ConfirmResultPage>("page-confirm-expired", new() { ["Outcome"] = ConfirmPageState.ExpiredOrInvalid });
    await Page<UnsubscribePage>("page-unsubscribe-ask", new() { ["Outcome"] = UnsubscribePageState.Ask, ["Token"] = "3fa85f64c3bd4e2b" });
    await Page<UnsubscribePage>("page-unsubscribe-done", new() { ["Outcome"] = UnsubscribePageState.Done });
    await Page<ArchivePage>("page-archive", new()
    {
        ["Entries"] = (IReadOnlyList<ArchiveEntry>)[
            new(42, web.Subject, model.Date, "https://news.example.com/editions/42"),
            new(41, "Claude Haiku 5 vs Gemini 3 Flash + 3 more verdicts", model.Date.AddDays(-7), "https://news.example.com/editions/41"),
            new(40, "Cursor 3 vs Windsurf 2: the panel's verdict", model.Date.AddDays(-14), "https://news.example.com/editions/40")],
    });
    await Page<EditionWebPage>("page-edition", new() { ["Subject"] = web.Subject, ["SentAt"] = model.Date, ["EditionHtml"] = web.Html });
    await Page<ErrorPage>("page-error", new() { ["Title"] = "Page not found", ["Message"] = "There's nothing at this address. It may have moved, or the link may be incomplete." });
    await File.WriteAllTextAsync(Path.Combine(dir, "page-signup-box.html"),
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><meta name=\"color-scheme\" content=\"light dark\"><title>Signup box</title></head>" +
        "<body style=\"font-family:system-ui,sans-serif;padding:16px\"><p>… end of a comparison page …</p>" +
        await renderer.RenderAsync<SignupBox>(new Dictionary<string, object?> { ["Site"] = site, ["Source"] = "codestral-2-vs-mistral-8x24b", ["IncludeScript"] = false }) + "</body></html>");
    return;

    async Task Page<T>(string name, Dictionary<string, object?> parameters)
        where T : Microsoft.AspNetCore.Components.IComponent
    {
        parameters["Site"] = site;
        await File.WriteAllTextAsync(Path.Combine(dir, name + ".html"), await renderer.RenderAsync<T>(parameters));
    }

    async Task Write(string name, RenderedEmail email)
    {
        await File.WriteAllTextAsync(Path.Combine(dir, name + ".html"), email.Html);
        await File.WriteAllTextAsync(Path.Combine(dir, name + ".txt"), $"Subject: {email.Subject}\nPreheader: {email.Preheader}\n\n{email.Text}");
        Console.WriteLine($"{name}: {email.Html.Length:N0} chars HTML, {email.Text.Length:N0} chars text — {email.Subject}");
    }
}

// 1. Rendering the edition once: the first render compiles the templates, later ones use the cached compiled templates.
var rssBefore = Rss("VmRSS");
var sw = Stopwatch.StartNew();
var first = await renderer.RenderEditionAsync(model);
var cold = sw.Elapsed;
var rssAfter = Rss("VmRSS");
// The compiler is let go once it has been idle for a while; wait until it is.
var unloadDeadline = Stopwatch.StartNew();
while (renderer.Templates.CompilerResident && unloadDeadline.Elapsed < TimeSpan.FromSeconds(30))
{
    await Task.Delay(50);
}
await Task.Delay(1000); // the collections and malloc_trim that follow
Console.WriteLine($"Memory: RSS {rssBefore / 1024} MB before the first compile, {rssAfter / 1024} MB after it, {Rss("VmRSS") / 1024} MB once the compiler is let go (compiler {(renderer.Templates.CompilerResident ? "STILL RESIDENT" : "released")}; peak {Rss("VmHWM") / 1024} MB; managed heap {GC.GetTotalMemory(false) / 1048576} MB)");
const int renders = 50;
sw.Restart();
for (var i = 0; i < renders; i++)
{
    await renderer.RenderEditionAsync(model);
}

var warm = sw.Elapsed / renders;
Console.WriteLine($"Edition: {samples.Count} comparisons, HTML {first.Html.Length:N0} chars, text {first.Text.Length:N0} chars");
Console.WriteLine($"Render edition (first: RazorLight compiles Edition, layout and partials): {cold.TotalMilliseconds:F1} ms");
Console.WriteLine($"Render edition (compiled templates cached, mean of {renders}): {warm.TotalMilliseconds:F2} ms");

// 2. The per-recipient step.
const int recipients = 100_000;
var people = Enumerable.Range(0, 1000)
    .Select(i => new PersonalSlots($"https://news.example.com/unsubscribe/{Guid.NewGuid():N}?r={i}&v=1", $"reader{i}+news@example.org"))
    .ToArray();
var buffer = new System.Buffers.ArrayBufferWriter<byte>(256 * 1024);
int gen0;

// The path production takes (src/Sender's MessageComposer): the rendered edition compiled once into src/Mail's
// MessageTemplate; per recipient the whole MIME message (headers, both parts encoded, personal values merged and
// HTML-escaped) is written into a reused buffer.
var mime = new Newsletter.Mail.Mime.EmailMessage
{
    From = new Newsletter.Mail.Mailbox("Weekly AI Tool Verdicts", Newsletter.Mail.EmailAddress.Parse("verdicts@news.example.com")),
    Subject = first.Subject,
    HtmlBody = first.Html,
    TextBody = first.Text,
    MessageId = "{{{k3j4.message_id}}}@news.example.com",
};
mime.Headers.Add("List-Unsubscribe", "<{{{k3j4.unsubscribe_url}}}>");
mime.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
var template = Newsletter.Mail.Mime.MessageTemplate.Compile(mime, "{{{k3j4.", "}}}");
var mimeValues = people.Select((p, i) => new Dictionary<string, string>
{
    ["unsubscribe_url"] = p.UnsubscribeUrl,
    ["email"] = p.Email,
    ["message_id"] = $"edition-42.subscriber-{i}",
}).ToArray();
var to = people.Select(p => new Newsletter.Mail.Mailbox(null, Newsletter.Mail.EmailAddress.Parse(p.Email))).ToArray();
for (var i = 0; i < 2000; i++)
{
    buffer.ResetWrittenCount();
    template.Render(to[i % to.Length], mimeValues[i % mimeValues.Length], buffer);
}
GC.Collect();
gen0 = GC.CollectionCount(0);
sw.Restart();
for (var i = 0; i < recipients; i++)
{
    buffer.ResetWrittenCount();
    template.Render(to[i % to.Length], mimeValues[i % mimeValues.Length], buffer);
}
var perMime = sw.Elapsed.TotalMicroseconds / recipients;
Console.WriteLine($"Per recipient, whole MIME message via Mail's MessageTemplate ({buffer.WrittenCount:N0} bytes): {perMime:F2} µs/recipient; gen0 GCs: {GC.CollectionCount(0) - gen0}");
Console.WriteLine(perMime <= 20 ? "Target ≤ 20 µs/recipient: met" : "Target ≤ 20 µs/recipient: MISSED");

// Resident memory of this process in KB, from /proc/self/status ("VmRSS" now, "VmHWM" the peak).
static long Rss(string field) =>
    File.ReadLines("/proc/self/status").Where(l => l.StartsWith(field + ":", StringComparison.Ordinal))
        .Select(l => long.Parse(l[(field.Length + 1)..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();
