namespace Newsletter.Sender.Admin.Pages;

public sealed record SubscribersModel(IReadOnlyList<SubscriberRow> Rows, string? Query, string? Status, int Page, long Total, int PageSize,
    IReadOnlyList<StatusCount> Statuses, string? Notice);
