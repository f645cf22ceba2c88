namespace Newsletter.Sender.Admin.Pages;

public sealed record SubscriberRow(long Id, string Email, string Status, DateTimeOffset CreatedAt, DateTimeOffset? ConfirmedAt);
