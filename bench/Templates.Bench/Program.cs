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
    var personal = PersonalizedContent.Create(edition, markers);
    await Write("edition", edition with { Html = personal.Html(recipient), Text = personal.Text(recipient) });
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
    await Page<ConfirmResultPage>("page-confirmed", new() { ["Outcome"] = ConfirmOutcome.Confirmed, ["LatestEditionUrl"] = model.ArchiveUrl });
    await Page<ConfirmResultPage>("page-confirm-expired", new() { ["Outcome"] = ConfirmOutcome.ExpiredOrInvalid });
    await Page<UnsubscribePage>("page-unsubscribe-ask", new() { ["Outcome"] = UnsubscribeOutcome.Ask, ["Token"] = "3fa85f64c3bd4e2b" });
    await Page<UnsubscribePage>("page-unsubscribe-done", new() { ["Outcome"] = UnsubscribeOutcome.Done });
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

// 1. Rendering the edition once.
var sw = Stopwatch.StartNew();
var first = await renderer.RenderEditionAsync(model);
var cold = sw.Elapsed;
const int renders = 50;
sw.Restart();
for (var i = 0; i < renders; i++)
{
    await renderer.RenderEditionAsync(model);
}

var warm = sw.Elapsed / renders;
Console.WriteLine($"Edition: {samples.Count} comparisons, HTML {first.Html.Length:N0} chars, text {first.Text.Length:N0} chars");
Console.WriteLine($"Render edition (first, cold): {cold.TotalMilliseconds:F1} ms");
Console.WriteLine($"Render edition (warm, mean of {renders}): {warm.TotalMilliseconds:F2} ms");

// 2. The per-recipient step: split once, then fill per recipient (HTML-escaped values in HTML).
sw.Restart();
var content = PersonalizedContent.Create(first, markers);
Console.WriteLine($"Split at markers (once): {sw.Elapsed.TotalMilliseconds:F2} ms; slots: {content.HtmlSlotCount} in HTML, {content.TextSlotCount} in text");

const int recipients = 100_000;
var people = Enumerable.Range(0, 1000)
    .Select(i => new PersonalSlots($"https://news.example.com/unsubscribe/{Guid.NewGuid():N}?r={i}&v=1", $"reader{i}+news@example.org"))
    .ToArray();
long bytes = 0;
for (var i = 0; i < 2000; i++)
{
    bytes += content.Html(people[i % people.Length]).Length + content.Text(people[i % people.Length]).Length; // warm-up
}

GC.Collect();
var gen0 = GC.CollectionCount(0);
sw.Restart();
for (var i = 0; i < recipients; i++)
{
    var p = people[i % people.Length];
    bytes += content.Html(p).Length + content.Text(p).Length;
}

var perRecipientString = sw.Elapsed.TotalMicroseconds / recipients;
Console.WriteLine($"Per recipient, string API (Html()+Text(), new strings each): {perRecipientString:F2} µs/recipient; gen0 GCs: {GC.CollectionCount(0) - gen0}");

// The fast path the mail-merge uses: UTF-8 into a reused buffer (literal segments pre-encoded once).
var buffer = new System.Buffers.ArrayBufferWriter<byte>(256 * 1024);
for (var i = 0; i < 2000; i++)
{
    buffer.ResetWrittenCount();
    content.WriteHtml(people[i % people.Length], buffer);
    content.WriteText(people[i % people.Length], buffer);
}

GC.Collect();
gen0 = GC.CollectionCount(0);
sw.Restart();
for (var i = 0; i < recipients; i++)
{
    var p = people[i % people.Length];
    buffer.ResetWrittenCount();
    content.WriteHtml(p, buffer);
    content.WriteText(p, buffer);
    bytes += buffer.WrittenCount;
}

var perRecipient = sw.Elapsed.TotalMicroseconds / recipients;
Console.WriteLine($"Per recipient, UTF-8 buffer API (WriteHtml+WriteText, {buffer.WrittenCount:N0} bytes): {perRecipient:F2} µs/recipient; gen0 GCs: {GC.CollectionCount(0) - gen0} (checksum {bytes % 997})");
Console.WriteLine(perRecipient <= 20 ? "Target ≤ 20 µs/recipient: met" : "Target ≤ 20 µs/recipient: MISSED");
