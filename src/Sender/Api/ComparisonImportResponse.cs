namespace Newsletter.Sender.Api;

/// <summary>Body of the answer to <c>POST /api/comparisons</c>: status is "created", "updated" or "unchanged".</summary>
public sealed record ComparisonImportResponse(long Id, string Slug, string Status);
