namespace Newsletter.Sender.Admin.Pages;

/// <summary>What every admin page needs: who is signed in, the antiforgery field, which section is current.</summary>
public sealed record AdminContext(string NewsletterName, string? User, string CsrfFieldName, string CsrfToken, string Section);
