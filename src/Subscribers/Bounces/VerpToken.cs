namespace Newsletter.Subscribers;

/// <summary>What a verified return-path token refers to: an edition delivery, or a transactional mail to a subscriber.</summary>
/// <param name="EditionId">The edition; null for a transactional mail (confirmation, welcome, goodbye).</param>
public sealed record VerpToken(long SubscriberId, long? EditionId);
