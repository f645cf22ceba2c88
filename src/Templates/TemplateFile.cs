namespace Newsletter.Templates;

/// <summary>One of the built-in templates: its name, file name and the model type it receives.</summary>
public sealed record TemplateFile(string Name, string FileName, Type Model);
