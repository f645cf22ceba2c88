namespace Newsletter.Templates;

/// <summary>One template as <c>templates list</c> and the admin console show it.</summary>
/// <param name="Name">"Edition", "Footer", ...</param>
/// <param name="FileName">"Edition.cshtml", "_Footer.cshtml", ...</param>
/// <param name="Override">True when a file in <c>Templates__Directory</c> is in use instead of the default.</param>
/// <param name="LastChange">The override file's last write time; null for a default.</param>
/// <param name="Error">Why the template cannot be used, null when it renders its sample.</param>
public sealed record TemplateStatus(string Name, string FileName, bool Override, DateTimeOffset? LastChange, string? Error);
