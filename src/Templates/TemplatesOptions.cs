namespace Newsletter.Templates;

/// <summary>The <c>Templates</c> section.</summary>
public sealed class TemplatesOptions
{
    /// <summary>
    /// A folder on the server whose <c>.cshtml</c> files override the built-in email templates of the same file name.
    /// Null: the defaults only.
    /// </summary>
    public string? Directory { get; set; }
}
