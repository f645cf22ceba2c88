namespace Newsletter.Sender.Admin;

/// <summary>Admin console users and how the console may be reached.</summary>
public sealed class AdminOptions
{
    public const string Section = "Admin";

    public List<AdminUser> Users { get; set; } = [];

    /// <summary>
    /// Refuse the console over plain HTTP (as seen through the trusted proxies) and mark its cookies Secure.
    /// Unset: on everywhere but in the Development environment.
    /// </summary>
    public bool? RequireHttps { get; set; }

    /// <summary>Every admin must sign in with a second factor (TOTP): one without a key enrols at the next sign-in.</summary>
    public bool RequireTwoFactor { get; set; }

    /// <summary>Whether the console requires HTTPS in <paramref name="environment"/>.</summary>
    public bool HttpsRequired(IHostEnvironment environment) => RequireHttps ?? !environment.IsDevelopment();
}
