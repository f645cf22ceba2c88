namespace Newsletter.Sender.Hosting;

/// <summary>How this process takes part.</summary>
public sealed class ServiceOptions
{
    public const string Section = "Service";

    public ServiceRole Role { get; set; } = ServiceRole.All;

    /// <summary>
    /// The configured role, for registrations made before the options exist (default as above). A bad value reads as
    /// the default here; binding the options reports it with the other settings.
    /// </summary>
    public static ServiceRole RoleIn(IConfiguration configuration)
        => Enum.TryParse<ServiceRole>(configuration[$"{Section}:{nameof(Role)}"], ignoreCase: true, out var role) ? role : new ServiceOptions().Role;
    public bool MigrateOnStart { get; set; } = true;

    /// <summary>Name of this instance in claims and logs; defaults to host name + process id.</summary>
    public string? InstanceName { get; set; }

    /// <summary>
    /// Reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (IP addresses). Loopback is always
    /// trusted. Needed behind a proxy so the per-IP signup and login limits see the reader's address, not the proxy's.
    /// </summary>
    public List<string> TrustedProxies { get; set; } = [];
}
