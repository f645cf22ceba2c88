namespace Newsletter.Subscribers;

/// <summary>The answer to a signup; <see cref="Error"/> and <see cref="RetryAfter"/> say why it was refused.</summary>
public sealed record SignupResult(SignupStatus Status, string? Error = null, string? NormalizedEmail = null, TimeSpan? RetryAfter = null);
