using Newsletter.Templates;

namespace Newsletter.Sender.Admin.Pages;

/// <summary>The templates page: every template's status, the override folder, and the one being previewed.</summary>
public sealed record TemplatesModel(IReadOnlyList<TemplateStatus> Templates, string? Directory, TemplateStatus Selected);
