using AngleSharp.Html.Parser;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Newsletter.Mail;
using Newsletter.Mail.Mime;
using Newsletter.Templates;
using Newsletter.TestSupport;

namespace Newsletter.Sender.Tests.Editions.Sending;

/// <summary>
/// The edition is rendered once with slot markers, compiled once into src/Mail's MessageTemplate, and merged per
/// recipient: the path MessageComposer takes. A personal value can never inject markup.
/// </summary>
public sealed class PersonalValuesTests
{
    [Fact]
    public async Task A_rendered_edition_merged_per_recipient_carries_the_values_escaped_in_html_and_as_is_in_text()
    {
        await using var services = new ServiceCollection().AddLogging().BuildServiceProvider();
        await using var renderer = new EmailRenderer(services, NullLoggerFactory.Instance);
        var site = new SiteInfo("Weekly AI Tool Verdicts", "https://news.example.com", "https://compare.example.com", "1 Test Street", "verdicts@news.example.com");
        var slots = new PersonalSlots("{{{5eed.unsubscribe_url}}}", "{{{5eed.email}}}");
        var comparisons = SampleComparisons.Load(SampleComparisons.FindDirectory()!);
        var rendered = await renderer.RenderEditionAsync(new EditionEmailModel(site, 7, DateTimeOffset.UtcNow, comparisons, slots, "https://news.example.com/archive/7"));
        Assert.Contains(slots.UnsubscribeUrl, rendered.Html, StringComparison.Ordinal);
        Assert.Contains(slots.UnsubscribeUrl, rendered.Text, StringComparison.Ordinal);

        var message = new EmailMessage
        {
            From = new Mailbox("Weekly AI Tool Verdicts", EmailAddress.Parse("verdicts@news.example.com")),
            Subject = rendered.Subject,
            HtmlBody = rendered.Html,
            TextBody = rendered.Text,
            MessageId = "{{{5eed.message_id}}}@news.example.com",
        };
        var template = MessageTemplate.Compile(message, "{{{5eed.", "}}}");
        // Hostile values: quotes and angle brackets must not leave their attribute or text node.
        const string url = "https://news.example.com/unsubscribe/t0k?a=1&b=\"2\"><script>alert(1)</script>";
        const string email = "o'brien+<img src=x onerror=alert(1)>@example.org";
        var bytes = template.Render(new Mailbox(null, EmailAddress.Parse("reader@example.org")), new Dictionary<string, string>
        {
            ["unsubscribe_url"] = url,
            ["email"] = email,
            ["message_id"] = "edition-7.subscriber-1",
        });

        var parsed = ParsedEmail.Parse(bytes);
        Assert.Empty(parsed.Defects);
        Assert.Equal("<edition-7.subscriber-1@news.example.com>", parsed.Header("Message-ID"));
        Assert.DoesNotContain("{{{", parsed.Html!, StringComparison.Ordinal);
        Assert.DoesNotContain("{{{", parsed.Text!, StringComparison.Ordinal);
        Assert.Contains(url, parsed.Text!, StringComparison.Ordinal);
        var document = new HtmlParser().ParseDocument(parsed.Html!);
        Assert.Empty(document.QuerySelectorAll("script"));
        Assert.Empty(document.QuerySelectorAll("img[onerror]"));
        Assert.Contains(document.QuerySelectorAll("a"), a => a.GetAttribute("href") == url);
        Assert.Contains(email, document.Body!.TextContent, StringComparison.Ordinal);
    }
}
