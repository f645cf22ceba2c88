namespace Newsletter.Sender.Api;

/// <summary>What <c>DELETE /api/subscribers/{email}</c> answers.</summary>
public sealed record EraseResult(long Id, string Status);
