using System.ComponentModel.DataAnnotations;

namespace Newsletter.Sender.Editions;

/// <summary>How mail leaves the service.</summary>
public sealed class SmtpOptions
{
    public const string Section = "Smtp";

    public SmtpMode Mode { get; set; } = SmtpMode.Smtp;
    public string? Host { get; set; }
    [Range(1, 65535)] public int Port { get; set; } = 25;
    public SmtpSecurityMode Security { get; set; } = SmtpSecurityMode.StartTlsWhenAvailable;
    public string? Username { get; set; }
    public string? Password { get; set; }
    public bool AllowAuthWithoutTls { get; set; }
    public bool AcceptInvalidCertificates { get; set; }

    /// <summary>Name we give in EHLO; defaults to the host name of Site__BaseUrl.</summary>
    public string? LocalDomain { get; set; }

    public string? PickupDirectory { get; set; }
    [Range(1, 256)] public int MaxConnections { get; set; } = 16;
    [Range(1, 100_000)] public int MaxMessagesPerConnection { get; set; } = 1000;

    /// <summary>Ceiling on messages per second to Smtp__Host (0: none); throttling replies lower it for a while.</summary>
    [Range(0, 1_000_000)] public double MaxMessagesPerSecond { get; set; }

    /// <summary>Several relays with weights (Smtp__Servers__N__Host, __Port, __Weight, ...); when set, Smtp__Host is not used.</summary>
    public List<SmtpServerOptions> Servers { get; set; } = [];
}
