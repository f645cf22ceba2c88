namespace Newsletter.Sender.Admin.Pages;

/// <summary>How many bounces of one kind (hard, soft, complaint) came from one source for an edition.</summary>
public sealed record BounceCount(string Kind, string Source, long Count);
