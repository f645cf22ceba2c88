namespace Newsletter.Sender.Subscribers;

/// <summary>What <c>DELETE /api/subscribers/{email}</c> answers.</summary>
public sealed record EraseResult(long Id, string Status);
