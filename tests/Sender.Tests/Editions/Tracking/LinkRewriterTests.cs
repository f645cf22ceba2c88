using Newsletter.Sender.Editions;

namespace Newsletter.Sender.Tests.Editions.Tracking;

/// <summary>Links are rewritten once per edition, and never the unsubscribe link.</summary>
public sealed class LinkRewriterTests
{
    private const string Prefix = "{{{abc.";
    private const string Suffix = "}}}";
    private const string Base = "https://news.example.com";

    private static readonly string Html =
        "<html><body><a href=\"https://compare.example.com/compare/a-vs-b?utm_source=newsletter&amp;utm_medium=email\">A vs B</a>"
        + "<a href=\"https://compare.example.com/compare/a-vs-b?utm_source=newsletter&amp;utm_medium=email\">Read</a>"
        + "<a href=\"https://news.example.com/archive/7\">View in browser</a>"
        + "<a href=\"mailto:editor@example.com\">Write to us</a>"
        + "<a href=\"" + Prefix + "unsubscribe_url" + Suffix + "\">Unsubscribe</a></body></html>";

    private const string Text = "A vs B\nhttps://compare.example.com/compare/a-vs-b?utm_source=newsletter&utm_medium=email\nUnsubscribe: {{{abc.unsubscribe_url}}}\n";

    private static readonly Dictionary<string, string> Comparisons = new()
    {
        ["https://compare.example.com/compare/a-vs-b?utm_source=newsletter&utm_medium=email"] = "a-vs-b",
    };

    [Fact]
    public void Every_distinct_target_becomes_one_stored_link_and_the_unsubscribe_and_mailto_links_stay()
    {
        var t = LinkRewriter.Rewrite(Html, Text, 7, Base, ClickTracking.Anonymous, OpenTracking.Off, Prefix, Suffix, Comparisons);

        Assert.Equal(2, t.Links.Count);
        Assert.Equal("https://compare.example.com/compare/a-vs-b?utm_source=newsletter&utm_medium=email", t.Links[0].Url);
        Assert.Equal("a-vs-b", t.Links[0].Slug);
        Assert.Null(t.Links[1].Slug);
        Assert.Equal(2, CountOf(t.Html, $"href=\"{Base}/r/7/1?d={Prefix}click_at{Suffix}\""));
        Assert.Contains($"href=\"{Base}/r/7/2?d=", t.Html, StringComparison.Ordinal);
        Assert.Contains("href=\"mailto:editor@example.com\"", t.Html, StringComparison.Ordinal);
        Assert.Contains($"href=\"{Prefix}unsubscribe_url{Suffix}\"", t.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("compare.example.com", t.Html, StringComparison.Ordinal);
        Assert.Contains($"{Base}/r/7/1?d={Prefix}click_at{Suffix}\n", t.Text, StringComparison.Ordinal);
        Assert.Contains($"Unsubscribe: {Prefix}unsubscribe_url{Suffix}", t.Text, StringComparison.Ordinal);
        Assert.Equal(Html, LinkRewriter.Untrack(t.Html, t.Links, Base, 7, Prefix, Suffix));
    }

    [Fact]
    public void Individual_mode_adds_the_readers_token_slot_and_off_changes_nothing()
    {
        var individual = LinkRewriter.Rewrite(Html, Text, 7, Base, ClickTracking.Individual, OpenTracking.Off, Prefix, Suffix, Comparisons);
        Assert.Contains($"href=\"{Base}/r/7/1?d={Prefix}click_at{Suffix}&amp;t={Prefix}click_token{Suffix}\"", individual.Html, StringComparison.Ordinal);
        Assert.Contains($"{Base}/r/7/1?d={Prefix}click_at{Suffix}&t={Prefix}click_token{Suffix}\n", individual.Text, StringComparison.Ordinal);

        var off = LinkRewriter.Rewrite(Html, Text, 7, Base, ClickTracking.Off, OpenTracking.Off, Prefix, Suffix, Comparisons);
        Assert.Equal(Html, off.Html);
        Assert.Equal(Text, off.Text);
        Assert.Empty(off.Links);
    }

    [Fact]
    public void The_open_pixel_goes_before_the_end_of_the_body_and_the_archive_copy_drops_it()
    {
        var t = LinkRewriter.Rewrite(Html, Text, 7, Base, ClickTracking.Anonymous, OpenTracking.On, Prefix, Suffix, Comparisons);
        Assert.Contains($"<img src=\"{Base}/o/7.gif?d={Prefix}click_at{Suffix}\"", t.Html, StringComparison.Ordinal);
        Assert.EndsWith("\"></body></html>", t.Html, StringComparison.Ordinal);
        Assert.Equal(Html, LinkRewriter.Untrack(t.Html, t.Links, Base, 7, Prefix, Suffix));
    }

    [Theory]
    [InlineData("GET", "Mozilla/5.0 (Macintosh) Safari/605.1", 10, true)] // composed 10 s ago, inside the 60 s window
    [InlineData("GET", "Mozilla/5.0 (Macintosh) Safari/605.1", 1000, false)]
    [InlineData("GET", "Mozilla/5.0 (Macintosh) Safari/605.1", null, false)]
    [InlineData("HEAD", "Mozilla/5.0 (Macintosh) Safari/605.1", 1000, true)]
    [InlineData("GET", "Mozilla/5.0 (compatible; Barracuda Sentinel)", 1000, true)]
    [InlineData("GET", "python-requests/2.31", 1000, true)]
    [InlineData("GET", "", 1000, true)]
    public void Machine_clicks_are_told_by_method_user_agent_and_time_since_delivery(string method, string agent, int? secondsAgo, bool machine)
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        long? stamp = secondsAgo is null ? null : now.ToUnixTimeSeconds() - secondsAgo.Value;
        Assert.Equal(machine, MachineClicks.IsMachine(method, agent, stamp, now, TimeSpan.FromSeconds(60), []));
    }

    private static int CountOf(string s, string part)
    {
        var n = 0;
        for (var i = s.IndexOf(part, StringComparison.Ordinal); i >= 0; i = s.IndexOf(part, i + 1, StringComparison.Ordinal)) n++;
        return n;
    }
}
