namespace Newsletter.Sender.Admin.Pages;

public sealed record SubscriberDeliveryRow(long EditionId, string? Subject, string State, int Attempts, string? LastReply, DateTimeOffset? SentAt);
