namespace Newsletter.Templates.Emails;

/// <summary><c>_Masthead.cshtml</c>: the newsletter's name above the card and an optional "View in browser" link.</summary>
public sealed record MastheadModel(string Name, string? ViewInBrowserUrl);
