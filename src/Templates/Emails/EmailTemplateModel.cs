namespace Newsletter.Templates.Emails;

/// <summary>
/// What every email template receives (and the shared <c>_Layout.cshtml</c> reads): the site, the subject and
/// preheader, the masthead row (null: none) and the footer.
/// </summary>
public abstract class EmailTemplateModel
{
    public required SiteInfo Site { get; init; }

    public required string Subject { get; init; }

    public required string Preheader { get; init; }

    public MastheadModel? Masthead { get; init; }

    public required FooterModel Footer { get; init; }
}
