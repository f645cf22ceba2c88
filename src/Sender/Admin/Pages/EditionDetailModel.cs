namespace Newsletter.Sender.Admin.Pages;

public sealed record EditionDetailModel(EditionProgress Edition, IReadOnlyList<DeliveryRow> Deliveries, string? State, string? Reply, int Page, long Total,
    int PageSize, string? Notice, IReadOnlyList<BounceCount> Bounces)
{
    /// <summary>What readers did with the edition (clicks, unsubscribes, bounces).</summary>
    public Newsletter.Sender.Editions.EditionReport? Report { get; init; }
}
