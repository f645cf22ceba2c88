namespace Newsletter.Templates;

/// <summary>
/// Sample data for checking and previewing templates: the built-in sample comparisons, slot markers for the personal
/// values (as an edition is really rendered) and fixed links.
/// </summary>
public static class TemplateSamples
{
    /// <summary>The site used when no real one is given.</summary>
    public static readonly SiteInfo Site = new("Weekly AI Tool Verdicts", "https://news.example.com", "https://aitoolverdicts.example",
                                                "Example Media Ltd, 12 Sample Street, London EC1A 1AA", "verdicts@news.example.com");

    /// <summary>The markers a sample edition carries where each recipient's values go.</summary>
    public static readonly PersonalSlots Markers = new("{{{sample.unsubscribe_url}}}", "{{{sample.email}}}");

    public static EditionEmailModel Edition(SiteInfo? site = null) =>
        new(site ?? Site, 42, new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero), SampleComparisons.Embedded(), Markers,
            TextTools.Combine((site ?? Site).BaseUrl, "/archive/42"));

    public static ConfirmationEmailModel Confirmation(SiteInfo? site = null) =>
        new(site ?? Site, TextTools.Combine((site ?? Site).BaseUrl, "/confirm/sample-token"), TimeSpan.FromHours(48), "reader@example.org");

    public static WelcomeEmailModel Welcome(SiteInfo? site = null) =>
        new(site ?? Site, TextTools.Combine((site ?? Site).BaseUrl, "/archive/42"), "every Monday at 09:00 UTC",
            TextTools.Combine((site ?? Site).BaseUrl, "/unsubscribe/sample-token"));

    public static GoodbyeEmailModel Goodbye(SiteInfo? site = null) =>
        new(site ?? Site, TextTools.Combine((site ?? Site).BaseUrl, "/?source=goodbye"));

    /// <summary>Each email template with its sample model; the transactional ones first, as a signup cannot wait for the edition's compile.</summary>
    internal static IEnumerable<(string FileName, Emails.EmailTemplateModel Model)> Models()
    {
        yield return (EmailTemplates.Confirmation, TemplateModels.Confirmation(Confirmation()));
        yield return (EmailTemplates.Welcome, TemplateModels.Welcome(Welcome()));
        yield return (EmailTemplates.Goodbye, TemplateModels.Goodbye(Goodbye()));
        yield return (EmailTemplates.Edition, TemplateModels.Edition(Edition()).Model);
    }
}
