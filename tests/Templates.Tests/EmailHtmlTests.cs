using Newsletter.Mail;
using Newsletter.Mail.Mime;

namespace Newsletter.Templates.Tests;

[Collection(TemplateCollection.Name)]
public sealed class EmailHtmlTests(TemplateFixture f)
{
    [Fact]
    public void Non_ascii_becomes_character_references_that_decode_to_the_same_text()
    {
        const string html = "<html><head><style>p{font-family:\"Señor\"}</style></head><body><p title=\"café\">Verdicts · 2026 — “ship” 🚀 naïve</p></body></html>";

        var sevenBit = EmailHtml.SevenBit(html);

        Assert.All(sevenBit.Where(c => c != 'ñ'), c => Assert.True(c < 0x80, $"U+{(int)c:X4} left in the output"));
        Assert.Contains("Señor", sevenBit, StringComparison.Ordinal); // <style> is raw text: references would not decode there
        var before = TemplateFixture.Parse(html);
        var after = TemplateFixture.Parse(sevenBit);
        Assert.Equal(before.Body!.TextContent, after.Body!.TextContent);
        Assert.Equal("café", after.QuerySelector("p")!.GetAttribute("title"));
        Assert.Contains("&#128640;", sevenBit, StringComparison.Ordinal); // one reference for the whole surrogate pair
    }

    [Fact]
    public void Long_lines_are_broken_only_before_block_and_table_tags()
    {
        var cells = string.Concat(Enumerable.Range(0, 200).Select(i => $"<td><span>cell {i}</span> <b>x</b></td>"));
        var html = $"<table><tr>{cells}</tr></table><p>{new string('a', 50)} <i>b</i></p>";

        var sevenBit = EmailHtml.SevenBit(html);

        Assert.All(sevenBit.Split('\n'), line => Assert.True(line.Length <= EmailHtml.SoftLineLength + 60, $"line of {line.Length}"));
        Assert.All(sevenBit.Split('\n').Skip(1), line => Assert.Matches("^<(td|/tr|/table|p)[ >]", line));
        // The breaks are white space between cells and blocks, which HTML does not render: every cell reads the same.
        static List<string> Texts(string h) => TemplateFixture.Parse(h).QuerySelectorAll("td, p").Select(e => e.TextContent).ToList();
        Assert.Equal(Texts(html), Texts(sevenBit));
        Assert.Equal(201, Texts(sevenBit).Count);
    }

    [Fact]
    public async Task The_edition_html_is_sent_as_7bit_without_quoted_printable()
    {
        var edition = await f.Emails.RenderEditionAsync(f.Edition());
        Assert.All(edition.Html, c => Assert.True(c < 0x80));
        Assert.All(edition.Html.Split('\n'), line => Assert.True(line.Length < 998, $"line of {line.Length}"));

        var message = new EmailMessage
        {
            From = new Mailbox("Weekly AI Tool Verdicts", EmailAddress.Parse("verdicts@news.example.com")),
            Subject = edition.Subject,
            HtmlBody = edition.Html,
            TextBody = edition.Text,
            MessageId = "edition-42.subscriber-1@news.example.com",
        };
        message.To.Add(new Mailbox(null, EmailAddress.Parse("reader@example.org")));
        var mime = System.Text.Encoding.ASCII.GetString(message.ToArray());
        var htmlPart = mime[mime.IndexOf("Content-Type: text/html", StringComparison.Ordinal)..];
        Assert.StartsWith("Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n", htmlPart, StringComparison.Ordinal);
    }
}
