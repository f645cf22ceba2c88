namespace Newsletter.Templates.Emails;

/// <summary><c>Goodbye.cshtml</c>: sent after unsubscribing.</summary>
public sealed class GoodbyeTemplateModel : EmailTemplateModel
{
    public required string ResubscribeUrl { get; init; }
}
