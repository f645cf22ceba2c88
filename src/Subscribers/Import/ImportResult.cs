namespace Newsletter.Subscribers;

/// <summary>What an import did. <see cref="Errors"/> lists at most <see cref="SubscriberImporter.MaxReportedErrors"/> lines.</summary>
public sealed record ImportResult(
    int Rows, int Created, int CreatedConfirmed, int CreatedPending, int Promoted, int Unchanged, int Suppressed,
    int Invalid, IReadOnlyList<ImportError> Errors, IReadOnlyList<string> IgnoredColumns);
