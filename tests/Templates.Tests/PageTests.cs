using AngleSharp.Dom;
using Microsoft.AspNetCore.Components;
using Newsletter.Templates.Pages;

namespace Newsletter.Templates.Tests;

[Collection(TemplateCollection.Name)]
public sealed class PageTests(TemplateFixture f)
{
    private static readonly SiteInfo Site = TemplateFixture.Site;

    private async Task<IDocument> PageAsync<T>(params (string Name, object? Value)[] parameters)
        where T : IComponent
    {
        var dict = parameters.ToDictionary(p => p.Name, p => p.Value);
        dict["Site"] = Site;
        var html = await f.RenderAsync<T>(dict);
        var doc = TemplateFixture.Parse(html);
        if (typeof(T) != typeof(SignupBox))
        {
            AssertIsAccessibleDocument(html, doc);
        }

        return doc;
    }

    private static void AssertIsAccessibleDocument(string html, IDocument doc)
    {
        Assert.StartsWith("<!DOCTYPE html>", html.TrimStart(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal("en", doc.DocumentElement.GetAttribute("lang"));
        Assert.Contains("width=device-width", doc.QuerySelector("meta[name=viewport]")!.GetAttribute("content"), StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(doc.Title));
        Assert.Single(doc.QuerySelectorAll("h1"));
        Assert.NotNull(doc.QuerySelector("main#main"));
        Assert.All(doc.QuerySelectorAll("script"), s => Assert.True(s.HasAttribute("src") && string.IsNullOrWhiteSpace(s.TextContent), "inline script"));
        Assert.Empty(doc.QuerySelectorAll("link[rel=stylesheet]"));
        Assert.DoesNotContain(doc.All, e => e.Attributes.Any(a => a.Name.StartsWith("on", StringComparison.OrdinalIgnoreCase)));
        AssertFormsAreLabelled(doc);
    }

    private static void AssertFormsAreLabelled(IDocument doc)
    {
        foreach (var input in doc.QuerySelectorAll("input:not([type=hidden])"))
        {
            var id = input.GetAttribute("id");
            Assert.False(string.IsNullOrEmpty(id));
            Assert.NotNull(doc.QuerySelector($"label[for='{id}']"));
        }
    }

    private static void AssertSignupForm(IElement form, string action)
    {
        Assert.Equal("post", form.GetAttribute("method"));
        Assert.Equal(action, form.GetAttribute("action"));
        var email = form.QuerySelector("input[type=email][name=email]")!;
        Assert.True(email.HasAttribute("required"));
        Assert.Equal("email", email.GetAttribute("autocomplete"));
        var honeypot = form.QuerySelector("input[name=website]")!;
        Assert.Equal("-1", honeypot.GetAttribute("tabindex"));
        Assert.Equal("off", honeypot.GetAttribute("autocomplete"));
        var wrapper = honeypot.ParentElement!;
        Assert.Equal("true", wrapper.GetAttribute("aria-hidden"));
        Assert.Contains("left:-10000px", wrapper.GetAttribute("style"), StringComparison.Ordinal);
        Assert.NotNull(form.QuerySelector("input[type=hidden][name=source]"));
        Assert.Contains("unsubscribe anytime", form.TextContent, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("once a week", form.TextContent, StringComparison.OrdinalIgnoreCase);
        Assert.NotNull(form.QuerySelector("button[type=submit]"));
    }

    [Fact]
    public async Task Signup_page_is_a_plain_post_form_with_label_honeypot_source_and_consent()
    {
        var doc = await PageAsync<SignupPage>(("Email", "a@b.example"), ("ErrorMessage", "That address doesn't look right."), ("Source", "twitter"));
        var form = doc.QuerySelector("form")!;
        AssertSignupForm(form, "/subscribe");
        Assert.Equal("a@b.example", form.QuerySelector("input[name=email]")!.GetAttribute("value"));
        Assert.Equal("twitter", form.QuerySelector("input[name=source]")!.GetAttribute("value"));
        Assert.Equal("true", form.QuerySelector("input[name=email]")!.GetAttribute("aria-invalid"));
        Assert.Contains("That address doesn't look right.", form.QuerySelector("[role=alert]")!.TextContent, StringComparison.Ordinal);
        Assert.Empty(doc.QuerySelectorAll("script"));
    }

    [Fact]
    public async Task Signup_box_posts_to_the_absolute_subscribe_url_and_loads_the_external_script()
    {
        var doc = await PageAsync<SignupBox>(("Source", "codestral-2-vs-mistral-8x24b"));
        AssertSignupForm(doc.QuerySelector("form")!, "https://news.example.com/subscribe");
        Assert.Contains("get the next comparison in your inbox", doc.QuerySelector("h2")!.TextContent, StringComparison.Ordinal);
        var script = doc.QuerySelectorAll("script").Single();
        Assert.Equal("https://news.example.com/_content/Newsletter.Templates/signup.js", script.GetAttribute("src"));
        Assert.True(script.HasAttribute("defer"));
        Assert.NotNull(doc.QuerySelector("form[data-watv-signup] [role=status][aria-live=polite]"));
        AssertFormsAreLabelled(doc);
    }

    [Fact]
    public void Signup_script_ships_as_a_static_asset_and_speaks_json()
    {
        var js = File.ReadAllText(Path.Combine(SampleComparisons.FindDirectory(AppContext.BaseDirectory), "..", "..", "src", "Templates", "wwwroot", "signup.js"));
        Assert.Contains("'Accept': 'application/json'", js, StringComparison.Ordinal);
        Assert.Contains("data.detail", js, StringComparison.Ordinal);
        Assert.Contains("data.message", js, StringComparison.Ordinal);
        Assert.Contains("textContent", js, StringComparison.Ordinal);
        Assert.DoesNotContain("innerHTML", js, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_inbox_page_names_the_address()
    {
        var doc = await PageAsync<CheckInboxPage>(("Email", "<i>me</i>@example.org"));
        Assert.Contains("Check your inbox", doc.QuerySelector("h1")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("<i>me</i>@example.org", doc.Body!.TextContent, StringComparison.Ordinal);
        Assert.Empty(doc.QuerySelectorAll("i"));
        Assert.NotNull(doc.QuerySelector("meta[name=robots][content=noindex]"));
    }

    [Theory]
    [InlineData(ConfirmPageState.Confirmed, "You're subscribed")]
    [InlineData(ConfirmPageState.AlreadyConfirmed, "already subscribed")]
    [InlineData(ConfirmPageState.ExpiredOrInvalid, "expired")]
    public async Task Confirm_result_page_renders_each_outcome(ConfirmPageState outcome, string heading)
    {
        var doc = await PageAsync<ConfirmResultPage>(("Outcome", outcome), ("LatestEditionUrl", "https://news.example.com/editions/41"));
        Assert.Contains(heading, doc.QuerySelector("h1")!.TextContent, StringComparison.Ordinal);
        var form = doc.QuerySelector("form");
        if (outcome == ConfirmPageState.ExpiredOrInvalid)
        {
            AssertSignupForm(form!, "/subscribe");
            Assert.Equal("Send a new link", form!.QuerySelector("button")!.TextContent.Trim());
        }
        else
        {
            Assert.Null(form);
            Assert.Contains(doc.QuerySelectorAll("a"), a => a.GetAttribute("href") == "https://news.example.com/editions/41");
        }
    }

    [Fact]
    public async Task Confirm_page_asks_with_a_single_post_button_carrying_the_token()
    {
        var doc = await PageAsync<ConfirmResultPage>(("Outcome", ConfirmPageState.Ask), ("Token", "abc/def"));
        Assert.Contains("Confirm", doc.QuerySelector("h1")!.TextContent, StringComparison.Ordinal);
        var form = doc.QuerySelectorAll("form").Single();
        Assert.Equal("post", form.GetAttribute("method"));
        Assert.Equal("/confirm/abc%2Fdef", form.GetAttribute("action"));
        Assert.Single(form.QuerySelectorAll("button"));
        Assert.Empty(form.QuerySelectorAll("input:not([type=hidden])"));
        Assert.Empty(doc.QuerySelectorAll("script"));
    }

    [Fact]
    public async Task Unsubscribe_page_asks_with_a_single_post_button()
    {
        var doc = await PageAsync<UnsubscribePage>(("Outcome", UnsubscribePageState.Ask), ("Token", "abc/def"));
        var form = doc.QuerySelectorAll("form").Single();
        Assert.Equal("post", form.GetAttribute("method"));
        Assert.Equal("/unsubscribe/abc%2Fdef", form.GetAttribute("action"));
        Assert.Single(form.QuerySelectorAll("button"));
        Assert.Empty(form.QuerySelectorAll("input:not([type=hidden])"));
    }

    [Theory]
    [InlineData(UnsubscribePageState.Done, "unsubscribed", true)]
    [InlineData(UnsubscribePageState.AlreadyUnsubscribed, "already unsubscribed", true)]
    [InlineData(UnsubscribePageState.Invalid, "isn't valid", false)]
    public async Task Unsubscribe_page_renders_each_outcome(UnsubscribePageState outcome, string heading, bool offersWayBack)
    {
        var doc = await PageAsync<UnsubscribePage>(("Outcome", outcome));
        Assert.Contains(heading, doc.QuerySelector("h1")!.TextContent, StringComparison.Ordinal);
        Assert.Empty(doc.QuerySelectorAll("form"));
        Assert.Equal(offersWayBack, doc.QuerySelectorAll("main a").Any(a => a.GetAttribute("href") == "https://news.example.com/" && a.TextContent.Contains("Subscribe again", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Archive_page_lists_editions_and_handles_none()
    {
        var entries = new List<ArchiveEntry>
        {
            new(42, "Codestral 2 vs Mistral 8x24B + 5 more verdicts", TemplateFixture.EditionDate, "https://news.example.com/editions/42"),
            new(41, "<b>Older</b>", TemplateFixture.EditionDate.AddDays(-7), "https://news.example.com/editions/41"),
        };
        var doc = await PageAsync<ArchivePage>(("Entries", (IReadOnlyList<ArchiveEntry>)entries));
        var items = doc.QuerySelectorAll("ol.archive li").ToList();
        Assert.Equal(2, items.Count);
        Assert.Equal("https://news.example.com/editions/42", items[0].QuerySelector("a")!.GetAttribute("href"));
        Assert.Equal("2026-11-23", items[0].QuerySelector("time")!.GetAttribute("datetime"));
        Assert.Equal("<b>Older</b>", items[1].QuerySelector("a")!.TextContent);

        var empty = await PageAsync<ArchivePage>(("Entries", (IReadOnlyList<ArchiveEntry>)[]));
        Assert.Contains("No editions yet", empty.Body!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Edition_web_page_embeds_the_rendered_edition_body_once()
    {
        var web = await f.Emails.RenderEditionWebAsync(Site, 42, TemplateFixture.EditionDate, f.Samples, "https://news.example.com/editions/42");
        var doc = await PageAsync<EditionWebPage>(("Subject", web.Subject), ("SentAt", TemplateFixture.EditionDate), ("EditionHtml", web.Html));
        Assert.Equal(web.Subject, doc.QuerySelector("h1")!.TextContent.Trim());
        Assert.Single(doc.QuerySelectorAll("html"));
        Assert.Single(doc.QuerySelectorAll("body"));
        Assert.Equal(f.Samples.Count, doc.QuerySelectorAll("h2").Count(h => h.TextContent.Contains(" vs ", StringComparison.Ordinal)));
        Assert.DoesNotContain(web.Preheader, doc.Body!.TextContent, StringComparison.Ordinal);
        AssertSignupForm(doc.QuerySelector("form")!, "/subscribe");
    }

    [Fact]
    public async Task Error_page_shows_title_and_message_escaped()
    {
        var doc = await PageAsync<ErrorPage>(("Title", "Page not found"), ("Message", "<script>x</script> There's nothing here."));
        Assert.Equal("Page not found", doc.QuerySelector("h1")!.TextContent);
        Assert.Contains("<script>x</script>", doc.QuerySelector(".lead")!.TextContent, StringComparison.Ordinal);
        Assert.Empty(doc.QuerySelectorAll("script"));
    }
}
