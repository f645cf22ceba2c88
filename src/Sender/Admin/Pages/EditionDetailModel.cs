namespace Newsletter.Sender.Admin.Pages;

public sealed record EditionDetailModel(EditionProgress Edition, IReadOnlyList<DeliveryRow> Deliveries, string? State, string? Reply, int Page, long Total,
    int PageSize, string? Notice, IReadOnlyList<BounceCount> Bounces);
