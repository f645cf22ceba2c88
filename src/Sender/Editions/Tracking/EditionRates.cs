namespace Newsletter.Sender.Editions;

/// <summary>One edition's click rate and unsubscribe rate (fractions of delivered), for the dashboard.</summary>
public sealed record EditionRates(long EditionId, DateTime? StartedAt, double ClickRate, double UnsubscribeRate);
