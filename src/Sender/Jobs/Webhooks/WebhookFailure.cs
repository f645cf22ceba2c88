namespace Newsletter.Sender.Jobs;

/// <summary>A webhook event given up after <c>Webhooks__GiveUpAfter</c>, as the dashboard lists it.</summary>
public sealed record WebhookFailure(long Id, string Url, string EventType, DateTime CreatedAt, int Attempts, string? LastError);
