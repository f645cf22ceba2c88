using Microsoft.Extensions.Options;
using Newsletter.Templates;

namespace Newsletter.Sender.Hosting;

/// <summary>Builds the absolute URLs the service sends out, from Site__BaseUrl.</summary>
public sealed class SiteInfoProvider(IOptions<SiteOptions> site, IOptions<NewsletterOptions> newsletter)
{
    private string Base => site.Value.BaseUrl.TrimEnd('/');

    public SiteInfo Get() => new(site.Value.NewsletterName, Base, site.Value.ComparisonBaseUrl.TrimEnd('/'),
        newsletter.Value.PostalAddress, newsletter.Value.FromAddress);

    public string ConfirmUrl(string token) => $"{Base}/confirm/{Uri.EscapeDataString(token)}";

    public string UnsubscribeUrl(string token) => $"{Base}/unsubscribe/{Uri.EscapeDataString(token)}";

    public string ArchiveUrl(long editionId) => $"{Base}/archive/{editionId}";

    public string ArchiveIndexUrl() => $"{Base}/archive";

    public string SignupUrl() => $"{Base}/subscribe";
}
