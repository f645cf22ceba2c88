namespace Newsletter.Sender.Editions;

/// <summary>Clicks on one link.</summary>
public sealed record LinkClicks(int LinkId, string Url, string? Slug, long Clicks, long? Unique, long Machine);
