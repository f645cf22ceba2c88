namespace Newsletter.Templates;

/// <summary>
/// An email template that cannot be used: it does not compile, throws while rendering, or leaves out the unsubscribe
/// link or the postal address. The message names the file and, when known, the line.
/// </summary>
public sealed class TemplateException : Exception
{
    public TemplateException(string fileName, int? line, string detail, Exception? inner = null)
        : base($"template {fileName}{(line is { } l ? $" line {l}" : string.Empty)}: {detail}", inner)
    {
        FileName = fileName;
        Line = line;
        Detail = detail;
    }

    public TemplateException()
        : this("(unknown)", null, "template error")
    {
    }

    public TemplateException(string message)
        : this("(unknown)", null, message)
    {
    }

    public TemplateException(string message, Exception inner)
        : this("(unknown)", null, message, inner)
    {
    }

    /// <summary>The template's file name, e.g. <c>_Footer.cshtml</c>.</summary>
    public string FileName { get; }

    /// <summary>1-based line in that file, when the compiler said.</summary>
    public int? Line { get; }

    /// <summary>What is wrong, without the file and line.</summary>
    public string Detail { get; }
}
