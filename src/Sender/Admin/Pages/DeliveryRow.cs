namespace Newsletter.Sender.Admin.Pages;

public sealed record DeliveryRow(long Id, long SubscriberId, string Email, string State, int Attempts, string? LastReply, DateTimeOffset? LastAttemptAt, DateTimeOffset? SentAt);
