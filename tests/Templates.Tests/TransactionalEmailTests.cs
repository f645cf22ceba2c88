namespace Newsletter.Templates.Tests;

[Collection(TemplateCollection.Name)]
public sealed class TransactionalEmailTests(TemplateFixture f)
{
    private static readonly SiteInfo Site = TemplateFixture.Site;

    [Fact]
    public async Task Confirmation_has_one_button_the_expiry_the_ignore_note_and_no_promotion()
    {
        var email = await f.Emails.RenderConfirmationAsync(new ConfirmationEmailModel(Site, "https://news.example.com/confirm/abc?x=1&y=2", TimeSpan.FromHours(48), "reader@example.org"));
        var doc = TemplateFixture.Parse(email.Html);
        var links = doc.QuerySelectorAll("a").ToList();
        Assert.All(links, a => Assert.Equal("https://news.example.com/confirm/abc?x=1&y=2", a.GetAttribute("href"))); // the button + the copyable fallback
        Assert.Single(links, a => a.TextContent.Trim() == "Confirm my subscription");
        var text = doc.Body!.TextContent;
        Assert.Contains("48 hours", text, StringComparison.Ordinal);
        Assert.Contains("reader@example.org", text, StringComparison.Ordinal);
        Assert.Contains("If it wasn't you", text, StringComparison.Ordinal);
        Assert.Contains(Site.NewsletterName, text, StringComparison.Ordinal);
        Assert.DoesNotContain(" vs ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("edition", text, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(doc.QuerySelectorAll("script, img, link"));
        Assert.Contains("https://news.example.com/confirm/abc?x=1&y=2", email.Text, StringComparison.Ordinal);
        Assert.Contains("48 hours", email.Text, StringComparison.Ordinal);
        Assert.Contains("If it wasn't you", email.Text, StringComparison.Ordinal);
        Assert.StartsWith("Confirm", email.Subject, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Welcome_says_when_and_what_links_the_latest_edition_and_offers_unsubscribe()
    {
        var email = await f.Emails.RenderWelcomeAsync(new WelcomeEmailModel(Site, "https://news.example.com/editions/41", "every Monday at 09:00 UTC", "https://news.example.com/unsubscribe/tok"));
        var doc = TemplateFixture.Parse(email.Html);
        Assert.Contains("every Monday at 09:00 UTC", doc.Body!.TextContent, StringComparison.Ordinal);
        Assert.Contains(doc.QuerySelectorAll("a"), a => a.GetAttribute("href") == "https://news.example.com/editions/41");
        Assert.Contains(doc.QuerySelectorAll("a"), a => a.GetAttribute("href") == "https://news.example.com/unsubscribe/tok" && a.TextContent.Contains("Unsubscribe", StringComparison.Ordinal));
        Assert.Contains("every Monday at 09:00 UTC", email.Text, StringComparison.Ordinal);
        Assert.Contains("https://news.example.com/editions/41", email.Text, StringComparison.Ordinal);
        Assert.Contains("https://news.example.com/unsubscribe/tok", email.Text, StringComparison.Ordinal);

        var noLatest = await f.Emails.RenderWelcomeAsync(new WelcomeEmailModel(Site, null, "every Monday", "https://news.example.com/unsubscribe/tok"));
        Assert.DoesNotContain("latest edition", noLatest.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("latest edition", noLatest.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Goodbye_confirms_and_offers_a_way_back()
    {
        var email = await f.Emails.RenderGoodbyeAsync(new GoodbyeEmailModel(Site, "https://news.example.com/?source=goodbye"));
        var doc = TemplateFixture.Parse(email.Html);
        Assert.Contains("unsubscribed", doc.QuerySelector("h1")!.TextContent, StringComparison.Ordinal);
        Assert.Contains(doc.QuerySelectorAll("a"), a => a.GetAttribute("href") == "https://news.example.com/?source=goodbye");
        Assert.Contains("https://news.example.com/?source=goodbye", email.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Transactional_mails_are_email_safe_and_escape_their_fields()
    {
        var evil = "<script>alert(1)</script>@example.org";
        var emails = new[]
        {
            await f.Emails.RenderConfirmationAsync(new ConfirmationEmailModel(Site, "https://news.example.com/confirm/a", TimeSpan.FromDays(2), evil)),
            await f.Emails.RenderWelcomeAsync(new WelcomeEmailModel(Site, null, "<b>weekly</b>", "https://news.example.com/u/a")),
            await f.Emails.RenderGoodbyeAsync(new GoodbyeEmailModel(Site, "https://news.example.com/")),
        };
        foreach (var email in emails)
        {
            var doc = TemplateFixture.Parse(email.Html);
            Assert.Empty(doc.QuerySelectorAll("script, b, img, link"));
            Assert.Equal("en", doc.DocumentElement.GetAttribute("lang"));
            Assert.NotNull(doc.QuerySelector("meta[name=color-scheme]"));
            Assert.All(doc.QuerySelectorAll("a"), a => Assert.StartsWith("https://", a.GetAttribute("href"), StringComparison.Ordinal));
            Assert.Contains(Site.PostalAddress, doc.Body!.TextContent, StringComparison.Ordinal);
            Assert.False(string.IsNullOrWhiteSpace(email.Text));
            Assert.False(string.IsNullOrWhiteSpace(email.Preheader));
            Assert.All(email.Text.Split('\n'), l => Assert.True(l.Length <= 72 || l.StartsWith("https://", StringComparison.Ordinal), l));
        }
    }
}
