namespace Newsletter.Templates.Emails;

/// <summary><c>Welcome.cshtml</c>: sent once the address is confirmed.</summary>
public sealed class WelcomeTemplateModel : EmailTemplateModel
{
    /// <summary>The latest edition's web copy, null before the first edition.</summary>
    public string? LatestEditionUrl { get; init; }

    /// <summary>e.g. "every Monday at 09:00 UTC".</summary>
    public required string ScheduleDescription { get; init; }
}
