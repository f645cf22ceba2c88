namespace Newsletter.Subscribers;

/// <summary>One recipient a report is about, with what happened to it and the diagnostic text.</summary>
public sealed record InboundRecipient(string Address, BounceReportKind Kind, string Detail);
