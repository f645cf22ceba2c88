using System.ComponentModel.DataAnnotations;

namespace Newsletter.Sender.Editions;

/// <summary>One SMTP relay among several.</summary>
public sealed class SmtpServerOptions
{
    [Required] public string Host { get; set; } = "";
    [Range(1, 65535)] public int Port { get; set; } = 25;

    /// <summary>Share of messages relative to the other servers' weights; a fallback gets a small weight.</summary>
    [Range(1, 1000)] public int Weight { get; set; } = 1;

    [Range(1, 256)] public int MaxConnections { get; set; } = 8;
    [Range(0, 1_000_000)] public double MaxMessagesPerSecond { get; set; }

    /// <summary>Overrides Smtp__Security / Smtp__Username / Smtp__Password for this server.</summary>
    public SmtpSecurityMode? Security { get; set; }
    public string? Username { get; set; }
    public string? Password { get; set; }
}
