namespace Newsletter.Subscribers;

/// <summary>A message from the bounce mailbox, read by <see cref="BounceReportParser"/>.</summary>
/// <param name="ReportId">The report's own Message-ID (or a hash of its bytes when it has none): the idempotency key.</param>
/// <param name="Recipients">For a bounce, the failed or delayed recipients; for a complaint, the complaining ones (may be empty: feedback loops redact).</param>
/// <param name="OriginalMessageId">The Message-ID of the mail the report is about, from the returned message or headers.</param>
/// <param name="ReturnPaths">Addresses the report was sent to or that the original carried as its return path: where a VERP token is looked for.</param>
/// <param name="Summary">One line for logs and the mailbox's record: what was recognised.</param>
public sealed record InboundReport(
    string ReportId, InboundReportKind Kind, IReadOnlyList<InboundRecipient> Recipients, string? OriginalMessageId,
    IReadOnlyList<string> ReturnPaths, string Summary);
