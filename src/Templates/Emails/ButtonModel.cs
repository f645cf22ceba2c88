namespace Newsletter.Templates.Emails;

/// <summary><c>_Button.cshtml</c>: a bulletproof button (absolute URL, label, CSS margin of its table).</summary>
public sealed record ButtonModel(string Href, string Text, string Margin);
