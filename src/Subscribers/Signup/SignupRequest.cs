using System.Net;

namespace Newsletter.Subscribers;

/// <summary>A signup as the signup box posted it, with where it came from (kept as consent evidence).</summary>
public sealed record SignupRequest(string? Email, IPAddress? Ip, string? UserAgent, string? Source);
