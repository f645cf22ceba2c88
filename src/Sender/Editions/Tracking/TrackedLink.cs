namespace Newsletter.Sender.Editions;

/// <summary>One link of an edition as stored: its number, target, the comparison it belongs to (if any) and its href in the stored HTML.</summary>
public sealed record TrackedLink(int LinkId, string Url, string? Slug, string HtmlHref);
