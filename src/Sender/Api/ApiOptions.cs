namespace Newsletter.Sender.Api;

/// <summary>Machine API keys (Bearer) for /api.</summary>
public sealed class ApiOptions
{
    public const string Section = "Api";

    /// <summary>Accepted keys; each at least 32 characters. Empty: every /api call is refused.</summary>
    public List<string> Keys { get; set; } = [];
}
