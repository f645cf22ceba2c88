using System.ComponentModel.DataAnnotations;

namespace Newsletter.Sender.Hosting;

/// <summary>Where this service and the comparison site live.</summary>
public sealed class SiteOptions
{
    public const string Section = "Site";

    /// <summary>Public base URL of this service, used in every link we send (confirm, unsubscribe, archive).</summary>
    [Required, AbsoluteHttpUrl] public string BaseUrl { get; set; } = "";

    /// <summary>Base URL of the comparison site (links to comparisons, CORS origin of the signup box).</summary>
    [Required, AbsoluteHttpUrl] public string ComparisonBaseUrl { get; set; } = "";

    [Required, StringLength(100, MinimumLength = 1)] public string NewsletterName { get; set; } = "Weekly AI Tool Verdicts";
}
