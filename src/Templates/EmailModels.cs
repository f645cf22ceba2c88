using Newsletter.Comparisons;

namespace Newsletter.Templates;

/// <summary>A rendered email: subject, preheader (hidden preview text), HTML part and plain-text part.</summary>
public sealed record RenderedEmail(string Subject, string Preheader, string Html, string Text);

/// <summary>
/// Per-recipient values. At render time the caller passes <em>marker strings</em> (e.g. <c>{{{k3j4.unsubscribe_url}}}</c>);
/// the templates emit them verbatim wherever the value belongs (href, visible text, plain text) and
/// the MIME mail merge (src/Mail's MessageTemplate) replaces them per recipient.
/// </summary>
public sealed record PersonalSlots(string UnsubscribeUrl, string Email);

/// <summary>Site-wide values every template needs.</summary>
/// <param name="NewsletterName">"Weekly AI Tool Verdicts".</param>
/// <param name="BaseUrl">This service, e.g. <c>https://news.example.com</c> (no trailing slash needed).</param>
/// <param name="ComparisonBaseUrl">The comparison site, e.g. <c>https://example.com</c>.</param>
/// <param name="PostalAddress">Sender's postal address shown in every email footer.</param>
/// <param name="FromAddress">The From address, shown as a reply hint when given.</param>
public sealed record SiteInfo(string NewsletterName, string BaseUrl, string ComparisonBaseUrl, string PostalAddress, string? FromAddress);

/// <summary>The weekly edition.</summary>
/// <param name="Site">Site values.</param>
/// <param name="EditionId">Edition number, used in the UTM campaign (<c>edition-{id}</c>).</param>
/// <param name="Date">Edition date shown in the header.</param>
/// <param name="Comparisons">Comparisons in this edition, in the order they should appear.</param>
/// <param name="Personal">Marker strings for the per-recipient values.</param>
/// <param name="ArchiveUrl">"View in browser" URL of this edition.</param>
public sealed record EditionEmailModel(SiteInfo Site, long EditionId, DateTimeOffset Date, IReadOnlyList<Comparison> Comparisons,
                                       PersonalSlots Personal, string ArchiveUrl)
{
    /// <summary>
    /// When true the footer is worded for the public web copy ("You're reading the web version...")
    /// instead of "You're receiving this because {email} subscribed". <see cref="EmailRenderer.RenderEditionWebHtmlAsync"/> sets it.
    /// </summary>
    public bool WebVersion { get; init; }
}

/// <summary>Double opt-in confirmation.</summary>
public sealed record ConfirmationEmailModel(SiteInfo Site, string ConfirmUrl, TimeSpan ExpiresIn, string Email);

/// <summary>Sent once the address is confirmed.</summary>
/// <param name="ScheduleDescription">e.g. "every Monday at 09:00 UTC".</param>
public sealed record WelcomeEmailModel(SiteInfo Site, string? LatestEditionUrl, string ScheduleDescription, string UnsubscribeUrl);

/// <summary>Sent after unsubscribing.</summary>
public sealed record GoodbyeEmailModel(SiteInfo Site, string ResubscribeUrl);

/// <summary>One line of the public archive.</summary>
public sealed record ArchiveEntry(long Id, string Subject, DateTimeOffset SentAt, string Url);
