namespace Newsletter.Sender.Hosting;

/// <summary>
/// Where <c>/metrics</c> (Prometheus text format) answers: on a port of its own (loopback unless <see cref="Address"/>
/// says otherwise), or on the service's port behind a bearer token, or both. Neither set: no <c>/metrics</c>.
/// </summary>
public sealed class MetricsOptions
{
    public const string Section = "Metrics";

    /// <summary>A separate port for <c>/metrics</c>; nothing else answers on it.</summary>
    public int? Port { get; set; }

    /// <summary>The address the metrics port listens on.</summary>
    public string Address { get; set; } = "127.0.0.1";

    /// <summary><c>Authorization: Bearer TOKEN</c> required for <c>/metrics</c>; at least 32 characters.</summary>
    public string? Token { get; set; }

    /// <summary>Off: no meter is listened to at all (for measuring what counting costs).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Whether a <c>/metrics</c> endpoint is served.</summary>
    public bool Served => Enabled && (Port is not null || !string.IsNullOrEmpty(Token));
}
