using Newsletter.Sender.Editions;

namespace Newsletter.Sender.Api;

/// <summary>What <c>POST /api/editions/{id}/retry-failed</c> answers: how many failed deliveries were queued again, and the edition.</summary>
public sealed record RetryFailedResult(int Requeued, EditionSummary Edition);
