using System.Net.Security;

namespace Newsletter.Mail.Smtp;

/// <summary>Where and how to connect. Timeouts default to RFC 5321 §4.5.3.2.</summary>
public sealed class SmtpClientOptions
{
    /// <summary>Server host name or IP address; also the name the TLS certificate must match.</summary>
    public required string Host { get; init; }

    /// <summary>Server port (25, 587 or 465 usually).</summary>
    public int Port { get; init; } = 25;

    /// <summary>Transport security; STARTTLS when the server offers it by default.</summary>
    public SmtpSecurity Security { get; init; } = SmtpSecurity.StartTlsWhenAvailable;

    /// <summary>User name for AUTH (RFC 4954); null for no authentication.</summary>
    public string? Username { get; init; }

    /// <summary>Password for AUTH. Never logged.</summary>
    public string? Password { get; init; }

    /// <summary>Allows AUTH over an unencrypted connection (off by default: credentials would travel in clear).</summary>
    public bool AllowAuthWithoutTls { get; init; }

    /// <summary>Accepts any server certificate. Off by default; for tests only.</summary>
    public bool AcceptInvalidCertificates { get; init; }

    /// <summary>Custom certificate validation; overrides <see cref="AcceptInvalidCertificates"/> when set.</summary>
    public RemoteCertificateValidationCallback? ServerCertificateValidationCallback { get; init; }

    /// <summary>The name sent with EHLO/HELO (RFC 5321 §4.1.1.1).</summary>
    public string LocalDomain { get; init; } = "localhost";

    /// <summary>Time allowed to open the TCP connection and finish the TLS handshake.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Time allowed for the greeting and for replies to commands (RFC 5321 §4.5.3.2.1-3: 5 minutes).</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Time allowed to write each block of message data (RFC 5321 §4.5.3.2.5: 3 minutes).</summary>
    public TimeSpan DataBlockTimeout { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>Time allowed for the reply to the final "." (RFC 5321 §4.5.3.2.6: 10 minutes).</summary>
    public TimeSpan DataTerminationTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Most connections a pool opens to the server.</summary>
    public int MaxConnections { get; init; } = 4;

    /// <summary>Messages sent over one connection before the pool closes it (QUIT) and opens a new one.</summary>
    public int MaxMessagesPerConnection { get; init; } = 1000;

    /// <summary>A pooled connection unused this long is closed.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Uses PIPELINING (RFC 2920) when the server offers it. On by default.</summary>
    public bool UsePipelining { get; init; } = true;

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(Host)) throw new ArgumentException("Host is required.", nameof(Host));
        if (Port is <= 0 or > 65535) throw new ArgumentOutOfRangeException(nameof(Port), Port, "Port must be 1-65535.");
        if (MaxConnections < 1) throw new ArgumentOutOfRangeException(nameof(MaxConnections), MaxConnections, "At least one connection.");
        if (MaxMessagesPerConnection < 1) throw new ArgumentOutOfRangeException(nameof(MaxMessagesPerConnection), MaxMessagesPerConnection, "At least one message per connection.");
        if (string.IsNullOrWhiteSpace(LocalDomain) || LocalDomain.AsSpan().IndexOfAny(" \r\n\t") >= 0) throw new ArgumentException("LocalDomain must be a host name without white space.", nameof(LocalDomain));
        if ((Username is null) != (Password is null)) throw new ArgumentException("Username and Password go together.", nameof(Username));
    }
}
