namespace Newsletter.Sender.Editions;

/// <summary>An edition's HTML and text with their links rewritten to the redirect, and the links to store.</summary>
public sealed record TrackedContent(string Html, string Text, IReadOnlyList<TrackedLink> Links);
