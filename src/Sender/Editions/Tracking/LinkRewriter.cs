using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Newsletter.Sender.Editions;

/// <summary>
/// Rewrites an edition's links once, at render time, to <c>{base}/r/{edition}/{link}</c>. Every absolute http(s)
/// href of the HTML is tracked (one link per distinct target; the text part's same URLs get the same link); hrefs
/// holding a slot marker (the unsubscribe link) and mailto: links stay as they are, and List-Unsubscribe is a header
/// this never sees. Per-message values go in as slots (<see cref="ClickSlots"/>), so the body is still encoded once.
/// </summary>
public static partial class LinkRewriter
{
    [GeneratedRegex("href=\"([^\"]*)\"", RegexOptions.CultureInvariant)]
    private static partial Regex Href();

    [GeneratedRegex(@"https?://[^\s<>""]+", RegexOptions.CultureInvariant)]
    private static partial Regex TextUrl();

    /// <param name="html">The rendered HTML (slots as markers).</param>
    /// <param name="text">The rendered plain-text part.</param>
    /// <param name="editionId">The edition.</param>
    /// <param name="baseUrl">The service's public URL (<c>Site__BaseUrl</c>, no trailing slash).</param>
    /// <param name="clicks">The tracking mode; <see cref="ClickTracking.Off"/> leaves links alone.</param>
    /// <param name="opens">With <see cref="OpenTracking.On"/>, a pixel goes before <c>&lt;/body&gt;</c>.</param>
    /// <param name="slotPrefix">The edition's slot marker prefix.</param>
    /// <param name="slotSuffix">The edition's slot marker suffix.</param>
    /// <param name="comparisonUrls">Each comparison's URL as the templates write it, with its slug.</param>
    public static TrackedContent Rewrite(string html, string text, long editionId, string baseUrl, ClickTracking clicks, OpenTracking opens,
        string slotPrefix, string slotSuffix, IReadOnlyDictionary<string, string> comparisonUrls)
    {
        ArgumentNullException.ThrowIfNull(html);
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(comparisonUrls);
        var links = new List<TrackedLink>();
        var byUrl = new Dictionary<string, TrackedLink>(StringComparer.Ordinal);
        var stamp = slotPrefix + ClickSlots.StampSlot + slotSuffix;
        var token = slotPrefix + ClickSlots.TokenSlot + slotSuffix;
        var edition = editionId.ToString(CultureInfo.InvariantCulture);

        string Tracked(int linkId, bool forHtml)
        {
            var sb = new StringBuilder(baseUrl.Length + 64).Append(baseUrl).Append("/r/").Append(edition).Append('/')
                .Append(linkId.ToString(CultureInfo.InvariantCulture)).Append("?d=").Append(stamp);
            if (clicks == ClickTracking.Individual) sb.Append(forHtml ? "&amp;t=" : "&t=").Append(token);
            return sb.ToString();
        }

        if (clicks != ClickTracking.Off)
        {
            html = Href().Replace(html, m =>
            {
                var raw = m.Groups[1].Value;
                if (raw.Contains(slotPrefix, StringComparison.Ordinal)) return m.Value;
                var url = WebUtility.HtmlDecode(raw);
                if (!url.StartsWith("https://", StringComparison.OrdinalIgnoreCase) && !url.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
                    return m.Value;
                if (!byUrl.TryGetValue(url, out var link))
                {
                    var id = links.Count + 1;
                    link = new TrackedLink(id, url, comparisonUrls.GetValueOrDefault(url), Tracked(id, forHtml: true));
                    links.Add(link);
                    byUrl[url] = link;
                }
                return "href=\"" + link.HtmlHref + "\"";
            });
            text = TextUrl().Replace(text, m => byUrl.TryGetValue(m.Value, out var link) ? Tracked(link.LinkId, forHtml: false) : m.Value);
        }
        if (opens == OpenTracking.On)
        {
            var pixel = OpenPixel(baseUrl, editionId, stamp);
            var end = html.LastIndexOf("</body>", StringComparison.OrdinalIgnoreCase);
            html = end < 0 ? html + pixel : html.Insert(end, pixel);
        }
        return new TrackedContent(html, text, links);
    }

    /// <summary>The open pixel as written into the HTML (the archive copy takes it out again).</summary>
    public static string OpenPixel(string baseUrl, long editionId, string stampMarker)
        => $"<img src=\"{baseUrl}/o/{editionId.ToString(CultureInfo.InvariantCulture)}.gif?d={stampMarker}\" width=\"1\" height=\"1\" alt=\"\" style=\"display:block;border:0;width:1px;height:1px;\">";

    /// <summary>
    /// The archive's copy: tracked hrefs back to their targets (HTML-encoded) and no pixel, so web readers are not
    /// counted and no slot marker is left.
    /// </summary>
    public static string Untrack(string html, IReadOnlyList<TrackedLink> links, string baseUrl, long editionId, string slotPrefix, string slotSuffix)
    {
        ArgumentNullException.ThrowIfNull(html);
        ArgumentNullException.ThrowIfNull(links);
        foreach (var link in links)
            html = html.Replace("href=\"" + link.HtmlHref + "\"", "href=\"" + WebUtility.HtmlEncode(link.Url) + "\"", StringComparison.Ordinal);
        return html.Replace(OpenPixel(baseUrl, editionId, slotPrefix + ClickSlots.StampSlot + slotSuffix), "", StringComparison.Ordinal);
    }
}
