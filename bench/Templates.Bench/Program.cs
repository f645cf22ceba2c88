using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Newsletter.Templates;

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
    return;

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

var perRecipient = sw.Elapsed.TotalMicroseconds / recipients;
Console.WriteLine($"Per recipient (HTML + text, {recipients:N0} recipients): {perRecipient:F2} µs/recipient; gen0 GCs: {GC.CollectionCount(0) - gen0} (checksum {bytes % 997})");
Console.WriteLine(perRecipient <= 20 ? "Target ≤ 20 µs/recipient: met" : "Target ≤ 20 µs/recipient: MISSED");
