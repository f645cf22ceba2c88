namespace Newsletter.Templates.Tests;

[Collection(TemplateCollection.Name)]
public sealed class PersonalizedContentTests(TemplateFixture f)
{
    [Fact]
    public async Task Per_recipient_copy_replaces_every_marker_escaping_values_in_html_only()
    {
        var email = await f.Emails.RenderEditionAsync(f.Edition());
        var content = PersonalizedContent.Create(email, TemplateFixture.Markers);
        Assert.True(content.HtmlSlotCount >= 2);
        Assert.True(content.TextSlotCount >= 2);

        var recipient = new PersonalSlots("https://news.example.com/u/t0k?a=1&b=\"2\"", "o'brien+<x>@example.org");
        var html = content.Html(recipient);
        var text = content.Text(recipient);
        Assert.DoesNotContain("{{{", html, StringComparison.Ordinal);
        Assert.DoesNotContain("{{{", text, StringComparison.Ordinal);
        Assert.Contains("https://news.example.com/u/t0k?a=1&amp;b=&quot;2&quot;", html, StringComparison.Ordinal);
        Assert.Contains("o&#39;brien+&lt;x&gt;@example.org", html, StringComparison.Ordinal);
        Assert.Contains("Unsubscribe: https://news.example.com/u/t0k?a=1&b=\"2\"", text, StringComparison.Ordinal);
        Assert.Contains("o'brien+<x>@example.org", text, StringComparison.Ordinal);

        var doc = TemplateFixture.Parse(html);
        Assert.Equal(recipient.UnsubscribeUrl, doc.QuerySelectorAll("a").Single(a => a.TextContent.Trim() == "Unsubscribe").GetAttribute("href"));
        Assert.Contains(recipient.Email, doc.Body!.TextContent, StringComparison.Ordinal);
        Assert.Equal(email.Html.Replace(TemplateFixture.Markers.UnsubscribeUrl, "U", StringComparison.Ordinal).Replace(TemplateFixture.Markers.Email, "E", StringComparison.Ordinal),
                     content.Html(new PersonalSlots("U", "E")));
    }

    [Fact]
    public void Markers_that_the_encoder_would_escape_are_found_in_their_encoded_form_too()
    {
        var rendered = new RenderedEmail("s", "p", "<a href=\"x&#x2B;y\">x+y</a>", "x+y");
        var content = PersonalizedContent.Create(rendered, new PersonalSlots("x+y", "nobody"));
        Assert.Equal("<a href=\"Z\">Z</a>", content.Html(new PersonalSlots("Z", "")));
        Assert.Equal("Z", content.Text(new PersonalSlots("Z", "")));
    }
}
