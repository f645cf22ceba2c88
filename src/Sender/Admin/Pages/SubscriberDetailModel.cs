namespace Newsletter.Sender.Admin.Pages;

public sealed record SubscriberDetailModel(SubscriberRow Subscriber, string? Name, IReadOnlyList<ConsentRow> Consents, IReadOnlyList<EventRow> Events,
    IReadOnlyList<SubscriberDeliveryRow> Deliveries, IReadOnlyList<BounceRow> Bounces)
{
    /// <summary>Links the subscriber clicked (Individual click tracking only).</summary>
    public IReadOnlyList<Newsletter.Subscribers.ClickRecord> Clicks { get; init; } = [];
}
