namespace Newsletter.Sender.Delivery;

/// <summary>One claimed outbox mail (confirmation, notice) as the claim returns it.</summary>
internal sealed record OutboxRow(long Id, string Kind, long? SubscriberId, string Recipient, string Payload, DateTime CreatedAt, int Attempts);
