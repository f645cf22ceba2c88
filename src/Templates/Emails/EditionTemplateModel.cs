namespace Newsletter.Templates.Emails;

/// <summary>
/// <c>Edition.cshtml</c>: the edition as computed once for every recipient. Personal values are slot markers
/// (<see cref="FooterModel.UnsubscribeUrl"/>, <see cref="FooterModel.RecipientEmail"/>) replaced per recipient later.
/// </summary>
public sealed class EditionTemplateModel : EmailTemplateModel
{
    /// <summary>Edition number, date label, intro and the comparisons (all labels pre-computed).</summary>
    public required EditionView View { get; init; }

    /// <summary>"View in browser" URL of this edition.</summary>
    public required string ArchiveUrl { get; init; }

    /// <summary>True for the public web copy (no masthead, web footer, an h2 instead of the h1).</summary>
    public bool WebVersion { get; init; }
}
