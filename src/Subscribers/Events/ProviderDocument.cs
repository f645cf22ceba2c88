namespace Newsletter.Subscribers;

/// <summary>
/// A posted document, read and validated: the events to apply, a note for the answer (e.g. an ignored notification
/// type) and, for an SNS subscription confirmation, the subscription to record.
/// </summary>
public sealed record ProviderDocument(IReadOnlyList<ProviderEvent> Events, string? Note, SnsSubscription? Subscription);
