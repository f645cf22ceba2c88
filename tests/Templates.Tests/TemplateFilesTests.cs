using System.Text;
using MimeKit;
using Newsletter.Mail;
using Newsletter.Mail.Mime;
using Newsletter.TestSupport;

namespace Newsletter.Templates.Tests;

/// <summary>
/// The RazorLight templates: every default renders its sample into a message two parsers read (Python's email and
/// MimeKit), and overrides in a folder are picked up, dropped, and refused when broken or incomplete.
/// </summary>
[Collection(TemplateCollection.Name)]
public sealed class TemplateFilesTests(TemplateFixture f) : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "newsletter-templates-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
    }

    public static TheoryData<string> Emails() => new(EmailTemplates.Edition, EmailTemplates.Confirmation, EmailTemplates.Welcome, EmailTemplates.Goodbye);

    [Theory]
    [MemberData(nameof(Emails))]
    public async Task Each_default_renders_its_sample_into_a_message_python_and_mimekit_both_read(string file)
    {
        var email = await f.Emails.RenderSampleAsync(file, TemplateFixture.Site);
        var message = new EmailMessage
        {
            From = new Mailbox("Weekly AI Tool Verdicts", EmailAddress.Parse("verdicts@news.example.com")),
            Subject = email.Subject,
            HtmlBody = email.Html,
            TextBody = email.Text,
            MessageId = "sample-" + file + "@news.example.com",
        };
        message.To.Add(new Mailbox(null, EmailAddress.Parse("reader@example.org")));
        var bytes = message.ToArray();

        var python = ParsedEmail.Parse(bytes);
        Assert.Empty(python.Defects);
        Assert.Equal(email.Subject, python.Header("Subject"));
        Assert.Contains(TemplateFixture.Site.PostalAddress, python.Html!, StringComparison.Ordinal);
        Assert.Contains("</html>", python.Html!, StringComparison.Ordinal);

        using var mime = MimeMessage.Load(new MemoryStream(bytes));
        Assert.Equal(email.Subject, mime.Subject);
        Assert.Equal(python.Html!.ReplaceLineEndings("\n"), mime.HtmlBody!.ReplaceLineEndings("\n"));
        Assert.Equal(python.Text!.ReplaceLineEndings("\n"), mime.TextBody!.ReplaceLineEndings("\n"));
        var doc = TemplateFixture.Parse(mime.HtmlBody);
        Assert.Equal(email.Subject, doc.Title);
        Assert.Contains(TemplateFixture.Site.PostalAddress, doc.Body!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_default_passes_the_check_and_export_writes_each_file()
    {
        var statuses = await EmailTemplates.Defaults.CheckAsync();
        Assert.Equal(EmailTemplates.All.Select(t => t.FileName), statuses.Select(s => s.FileName));
        Assert.All(statuses, s => Assert.Null(s.Error));
        Assert.All(statuses, s => Assert.False(s.Override));
        foreach (var t in EmailTemplates.All)
        {
            var text = Encoding.UTF8.GetString(EmailTemplates.DefaultContent(t.FileName));
            Assert.StartsWith("@model " + t.Model.Name, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_footer_override_is_used_for_the_next_render_and_removing_it_brings_the_default_back()
    {
        Directory.CreateDirectory(directory);
        var templates = EmailTemplates.ForDirectory(directory);
        var footer = Encoding.UTF8.GetString(EmailTemplates.DefaultContent(EmailTemplates.Footer)) + "<p>Printed on recycled electrons.</p>\n";
        var path = Path.Combine(directory, EmailTemplates.Footer);
        await File.WriteAllTextAsync(path, footer);

        using var renderer = new EmailRenderer(f.Services, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, templates);
        Assert.Contains("Printed on recycled electrons.", (await renderer.RenderEditionAsync(f.Edition())).Html, StringComparison.Ordinal);
        Assert.Contains("Printed on recycled electrons.", (await renderer.RenderGoodbyeAsync(TemplateSamples.Goodbye(TemplateFixture.Site))).Html, StringComparison.Ordinal);
        var status = (await templates.CheckAsync()).Single(s => s.FileName == EmailTemplates.Footer);
        Assert.True(status.Override);
        Assert.NotNull(status.LastChange);

        File.Delete(path);
        var back = await renderer.RenderEditionAsync(f.Edition());
        Assert.DoesNotContain("Printed on recycled electrons.", back.Html, StringComparison.Ordinal);
        Assert.Equal((await f.Emails.RenderEditionAsync(f.Edition())).Html, back.Html);
    }

    [Fact]
    public async Task A_syntax_error_names_the_template_and_line_and_fixing_the_file_is_picked_up()
    {
        Directory.CreateDirectory(directory);
        var templates = EmailTemplates.ForDirectory(directory);
        var path = Path.Combine(directory, EmailTemplates.Goodbye);
        await File.WriteAllTextAsync(path, "@model GoodbyeTemplateModel\n@{ Layout = \"_Layout.cshtml\"; }\n<p>@Model.ResubscribeUrl.NoSuchMember</p>\n");
        using var renderer = new EmailRenderer(f.Services, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, templates);

        var error = await Assert.ThrowsAsync<TemplateException>(() => renderer.RenderGoodbyeAsync(TemplateSamples.Goodbye(TemplateFixture.Site)));
        Assert.Equal(EmailTemplates.Goodbye, error.FileName);
        Assert.Equal(3, error.Line);
        Assert.StartsWith("template Goodbye.cshtml line 3: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("NoSuchMember", error.Message, StringComparison.Ordinal);
        Assert.Equal(error.Message, (await templates.CheckAsync()).Single(s => s.FileName == EmailTemplates.Goodbye).Error);

        await File.WriteAllTextAsync(path, "@model GoodbyeTemplateModel\n@{ Layout = \"_Layout.cshtml\"; }\n@{ if (true) {\n");
        var unclosed = await Assert.ThrowsAsync<TemplateException>(() => renderer.RenderGoodbyeAsync(TemplateSamples.Goodbye(TemplateFixture.Site)));
        Assert.Equal(3, unclosed.Line);

        await File.WriteAllTextAsync(path, "@model GoodbyeTemplateModel\n@{ Layout = \"_Layout.cshtml\"; }\n<p>Bye, see <a href=\"@Model.ResubscribeUrl\">you</a>.</p>\n");
        var fixedMail = await renderer.RenderGoodbyeAsync(TemplateSamples.Goodbye(TemplateFixture.Site));
        Assert.Contains("Bye, see", fixedMail.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_override_without_the_unsubscribe_link_or_the_postal_address_is_refused_with_a_message_saying_so()
    {
        Directory.CreateDirectory(directory);
        var templates = EmailTemplates.ForDirectory(directory);
        var path = Path.Combine(directory, EmailTemplates.Footer);
        using var renderer = new EmailRenderer(f.Services, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, templates);

        await File.WriteAllTextAsync(path, "@model FooterModel\n<p>@Model.Site.NewsletterName · @Model.Site.PostalAddress</p>\n");
        var noLink = await Assert.ThrowsAsync<TemplateException>(() => renderer.RenderEditionAsync(f.Edition()));
        Assert.Contains("leaves out the unsubscribe link", noLink.Message, StringComparison.Ordinal);
        Assert.Contains("Edition.cshtml", noLink.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<TemplateException>(() => renderer.RenderWelcomeAsync(TemplateSamples.Welcome(TemplateFixture.Site)));
        // Confirmation and goodbye carry no unsubscribe link; the postal address is enough there.
        await renderer.RenderGoodbyeAsync(TemplateSamples.Goodbye(TemplateFixture.Site));
        var statuses = await templates.CheckAsync();
        Assert.Contains("leaves out the unsubscribe link", statuses.Single(s => s.FileName == EmailTemplates.Footer).Error, StringComparison.Ordinal);

        await File.WriteAllTextAsync(path, "@model FooterModel\n<p><a href=\"@Model.UnsubscribeUrl\">Unsubscribe</a></p>\n");
        var noAddress = await Assert.ThrowsAsync<TemplateException>(() => renderer.RenderGoodbyeAsync(TemplateSamples.Goodbye(TemplateFixture.Site)));
        Assert.Contains("leaves out the postal address", noAddress.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_an_override_comparison_text_cannot_forge_a_slot_and_is_html_escaped()
    {
        Directory.CreateDirectory(directory);
        var templates = EmailTemplates.ForDirectory(directory);
        // An operator's edition that prints each title twice: escaped in text, escaped in an attribute.
        await File.WriteAllTextAsync(Path.Combine(directory, EmailTemplates.Edition),
            "@model EditionTemplateModel\n@{ Layout = \"_Layout.cshtml\"; }\n@foreach (var c in Model.View.Comparisons) {<h2 title=\"@c.Title\">@c.Title</h2>}\n");
        using var renderer = new EmailRenderer(f.Services, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, templates);
        var evil = TemplateFixture.Minimal("<b>Alpha</b> vs {{{guess.unsubscribe_url}}} \" onmouseover=\"x");
        var email = await renderer.RenderEditionAsync(f.Edition([evil]));

        Assert.DoesNotContain("<b>Alpha</b>", email.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("\" onmouseover=\"x", email.Html, StringComparison.Ordinal);
        // The only real slot markers are the renderer's (k3j4 nonce); the guessed one is not among them.
        var template = MessageTemplate.Compile(new EmailMessage
        {
            From = new Mailbox(null, EmailAddress.Parse("verdicts@news.example.com")),
            Subject = email.Subject,
            HtmlBody = email.Html,
            TextBody = email.Text,
        }, "{{{k3j4.", "}}}");
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        template.Render(new Mailbox(null, EmailAddress.Parse("r@example.org")),
            new Dictionary<string, string> { ["unsubscribe_url"] = "https://news.example.com/u/<x>", ["email"] = "r@example.org" }, buffer);
        var merged = Encoding.UTF8.GetString(buffer.WrittenSpan);
        Assert.Contains("{{{guess.unsubscribe_url}}}", merged, StringComparison.Ordinal);
        Assert.Contains("https://news.example.com/u/&lt;x&gt;", merged, StringComparison.Ordinal);
    }
}
