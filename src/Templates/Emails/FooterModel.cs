namespace Newsletter.Templates.Emails;

/// <summary>
/// <c>_Footer.cshtml</c>: the small print under the card. For an edition <see cref="UnsubscribeUrl"/> and
/// <see cref="RecipientEmail"/> are slot markers; the footer must carry the unsubscribe link (edition, welcome)
/// and <c>Site.PostalAddress</c> (every email), or the template is refused.
/// </summary>
public sealed record FooterModel(FooterKind Kind, SiteInfo Site, string? UnsubscribeUrl = null, string? RecipientEmail = null, string? ArchiveUrl = null);
