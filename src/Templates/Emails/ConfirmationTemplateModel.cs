namespace Newsletter.Templates.Emails;

/// <summary><c>Confirmation.cshtml</c>: the double opt-in mail.</summary>
public sealed class ConfirmationTemplateModel : EmailTemplateModel
{
    public required string ConfirmUrl { get; init; }

    /// <summary>The link's lifetime in words, e.g. "48 hours".</summary>
    public required string ExpiresIn { get; init; }

    /// <summary>The address that asked to subscribe.</summary>
    public required string Email { get; init; }
}
