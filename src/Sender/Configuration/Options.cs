using System.ComponentModel.DataAnnotations;

namespace Newsletter.Sender.Configuration;

// Every setting of the service, bound from appsettings*.json and environment variables
// (Section__Name, e.g. Smtp__Host). The README's configuration table lists each one; keep them in step.

/// <summary>Where this service and the comparison site live.</summary>
public sealed class SiteOptions
{
    public const string Section = "Site";

    /// <summary>Public base URL of this service, used in every link we send (confirm, unsubscribe, archive).</summary>
    [Required, AbsoluteHttpUrl] public string BaseUrl { get; set; } = "";

    /// <summary>Base URL of the comparison site (links to comparisons, CORS origin of the signup box).</summary>
    [Required, AbsoluteHttpUrl] public string ComparisonBaseUrl { get; set; } = "";

    [Required, StringLength(100, MinimumLength = 1)] public string NewsletterName { get; set; } = "Weekly AI Tool Verdicts";
}

public enum SmtpMode
{
    /// <summary>Send through an SMTP server (Smtp__Host/Smtp__Port).</summary>
    Smtp,

    /// <summary>Write each message as an .eml file into Smtp__PickupDirectory (local development).</summary>
    Pickup,
}

public enum SmtpSecurityMode
{
    None,
    StartTls,
    StartTlsWhenAvailable,
    SslOnConnect,
}

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

/// <summary>What the newsletter says about itself.</summary>
public sealed class NewsletterOptions
{
    public const string Section = "Newsletter";

    /// <summary>Envelope sender and From: address.</summary>
    [Required, EmailAddressSetting] public string FromAddress { get; set; } = "";

    public string? FromName { get; set; }

    /// <summary>Postal address printed in every footer (CAN-SPAM).</summary>
    [Required, StringLength(500, MinimumLength = 5)] public string PostalAddress { get; set; } = "";

    /// <summary>The List-Id header's identifier; defaults to "weekly.{domain of FromAddress}".</summary>
    public string? ListId { get; set; }
}

/// <summary>Machine API keys (Bearer) for /api.</summary>
public sealed class ApiOptions
{
    public const string Section = "Api";

    /// <summary>Accepted keys; each at least 32 characters. Empty: every /api call is refused.</summary>
    public List<string> Keys { get; set; } = [];
}

/// <summary>Admin console users.</summary>
public sealed class AdminOptions
{
    public const string Section = "Admin";

    public List<AdminUser> Users { get; set; } = [];
}

public sealed class AdminUser
{
    [Required] public string Name { get; set; } = "";

    /// <summary>PBKDF2 hash printed by the <c>hash-password</c> command.</summary>
    [Required] public string PasswordHash { get; set; } = "";
}

/// <summary>Subscriber lifecycle.</summary>
public sealed class SubscribersOptions
{
    public const string Section = "Subscribers";

    public TimeSpan ConfirmationTtl { get; set; } = TimeSpan.FromHours(48);

    /// <summary>HMAC keys for unsubscribe tokens; the first signs, all verify (rotation). Each ≥ 32 characters.</summary>
    public List<string> UnsubscribeKeys { get; set; } = [];

    [Range(1, 1000)] public int MaxConfirmationsPerAddressPerDay { get; set; } = 3;
    [Range(1, 100_000)] public int MaxSignupsPerIpPerMinute { get; set; } = 20;
    [Range(1, 100)] public int SoftBounceLimit { get; set; } = 3;
    public TimeSpan PendingRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Version tag of the consent text shown by the signup forms, stored with every consent.</summary>
    [Required] public string ConsentVersion { get; set; } = "2026-11-v1";
}

/// <summary>The delivery engine.</summary>
public sealed class DeliveryOptions
{
    public const string Section = "Delivery";

    public TimeSpan RetryWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>First retry delay of a deferred delivery; each further one doubles (at most 60×), with jitter.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMinutes(1);
    [Range(1, 10_000)] public int BatchSize { get; set; } = 200;

    /// <summary>Concurrent claim/send/record loops per instance; they share the SMTP connections.</summary>
    [Range(1, 64)] public int Workers { get; set; } = 4;

    /// <summary>How long a claimed delivery may stay in 'sending' before another worker takes it back.</summary>
    public TimeSpan ClaimLease { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Failures in a row, not about one recipient, after which sending editions pause (the relay is failing).</summary>
    [Range(1, 1_000_000)] public int PauseAfterConsecutiveFailures { get; set; } = 100;

    /// <summary>How often a failing relay is probed to resume the editions it paused.</summary>
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often an idle worker looks for work.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Deliveries queued by the transaction that starts an edition; sending starts as soon as it commits.</summary>
    [Range(1, 10_000_000)] public int FirstQueueChunk { get; set; } = 5_000;

    /// <summary>Deliveries queued per further transaction until every confirmed subscriber has one.</summary>
    [Range(1, 10_000_000)] public int QueueChunk { get; set; } = 50_000;
}

/// <summary>DKIM signing; off unless all three are set.</summary>
public sealed class DkimOptions
{
    public const string Section = "Dkim";

    public string? Domain { get; set; }
    public string? Selector { get; set; }
    public string? PrivateKeyFile { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(Domain) && !string.IsNullOrWhiteSpace(Selector) && !string.IsNullOrWhiteSpace(PrivateKeyFile);
}

/// <summary>The weekly schedule.</summary>
public sealed class ScheduleOptions
{
    public const string Section = "Schedule";

    /// <summary>Quartz cron expression; default Monday 09:00.</summary>
    [Required] public string Cron { get; set; } = "0 0 9 ? * MON";

    [Required] public string TimeZone { get; set; } = "UTC";

    /// <summary>Run the weekly schedule in this process (the scheduler also stays off in the Web role).</summary>
    public bool Enabled { get; set; } = true;

    public TimeSpan MaxLateness { get; set; } = TimeSpan.FromHours(6);
}

public enum ServiceRole
{
    /// <summary>HTTP endpoints, scheduler and delivery workers.</summary>
    All,

    /// <summary>HTTP endpoints only.</summary>
    Web,

    /// <summary>Scheduler and delivery workers only.</summary>
    Worker,
}

/// <summary>How this process takes part.</summary>
public sealed class ServiceOptions
{
    public const string Section = "Service";

    public ServiceRole Role { get; set; } = ServiceRole.All;
    public bool MigrateOnStart { get; set; } = true;

    /// <summary>Name of this instance in claims and logs; defaults to host name + process id.</summary>
    public string? InstanceName { get; set; }

    /// <summary>
    /// Reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (IP addresses). Loopback is always
    /// trusted. Needed behind a proxy so the per-IP signup and login limits see the reader's address, not the proxy's.
    /// </summary>
    public List<string> TrustedProxies { get; set; } = [];
}
