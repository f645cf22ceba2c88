using System.ComponentModel.DataAnnotations;

namespace Newsletter.Subscribers;

/// <summary>How the bounce mailbox is reached (<c>Bounces__Imap__*</c>).</summary>
public sealed class BounceMailboxOptions
{
    /// <summary>The IMAP server; empty: no bounce mailbox is read.</summary>
    public string? Host { get; set; }

    /// <summary>143 (STARTTLS or plain) or 993 (implicit TLS).</summary>
    public int Port { get; set; } = 993;

    /// <summary><c>SslOnConnect</c> (993), <c>StartTls</c>, <c>StartTlsWhenAvailable</c> or <c>None</c> (a server on localhost only).</summary>
    public string Security { get; set; } = "SslOnConnect";

    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>The folder bounces arrive in.</summary>
    public string Folder { get; set; } = "INBOX";

    /// <summary>Where handled reports go once their outcome is committed.</summary>
    public string ProcessedFolder { get; set; } = "Processed";

    /// <summary>Where auto-replies and anything not understood go, never counted.</summary>
    public string UnrecognisedFolder { get; set; } = "Unrecognised";

    /// <summary>How often the folder is read (and how long an IDLE lasts before a fresh look); also the wait after an error.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Skip certificate validation (testing only).</summary>
    public bool AcceptInvalidCertificates { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(Host);

    internal IEnumerable<ValidationResult> Check()
    {
        if (!Enabled) yield break;
        if (Port is < 1 or > 65535) yield return new ValidationResult("Bounces__Imap__Port must be between 1 and 65535", [nameof(Port)]);
        if (Security is not ("SslOnConnect" or "StartTls" or "StartTlsWhenAvailable" or "None"))
            yield return new ValidationResult("Bounces__Imap__Security must be SslOnConnect, StartTls, StartTlsWhenAvailable or None", [nameof(Security)]);
        if (string.IsNullOrEmpty(Username) || string.IsNullOrEmpty(Password))
            yield return new ValidationResult("Bounces__Imap__Username and Bounces__Imap__Password are required with Bounces__Imap__Host", [nameof(Username)]);
        if (PollInterval < TimeSpan.FromMilliseconds(100) || PollInterval > TimeSpan.FromHours(1))
            yield return new ValidationResult("Bounces__Imap__PollInterval must be between 00:00:00.1 and 01:00:00", [nameof(PollInterval)]);
        if (string.IsNullOrWhiteSpace(Folder) || string.IsNullOrWhiteSpace(ProcessedFolder) || string.Equals(Folder, ProcessedFolder, StringComparison.OrdinalIgnoreCase))
            yield return new ValidationResult("Bounces__Imap__Folder and Bounces__Imap__ProcessedFolder must be two different folders", [nameof(ProcessedFolder)]);
    }
}
