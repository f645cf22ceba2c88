namespace Newsletter.Subscribers;

/// <summary>One claimed outbox mail as <see cref="OutboxStore.ClaimAsync"/> returns it; <see cref="Attempts"/> counts this one.</summary>
public sealed record OutboxMail(long Id, string Kind, long? SubscriberId, string Recipient, string Payload, DateTime CreatedAt, int Attempts);
