using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using Npgsql;
using Newsletter.Sender.Editions;
using Newsletter.Sender.Api;
using Newsletter.Sender.Admin;
using Newsletter.Sender.Jobs;

namespace Newsletter.Sender.Hosting;

/// <summary>
/// Every setting of the service, bound from appsettings*.json and environment variables (Section__Name, e.g.
/// Smtp__Host), one options class per section. The README's configuration table lists each one; keep them in step.
/// </summary>
public static class ConfigurationExtensions
{
    /// <summary>
    /// Binds every options class and validates it at start-up; a bad or missing setting stops the service
    /// with one line naming the setting as its environment variable (e.g. <c>Site__BaseUrl</c>).
    /// </summary>
    public static IHostApplicationBuilder AddNewsletterConfiguration(this IHostApplicationBuilder builder)
    {
        builder.Bind<SiteOptions>(SiteOptions.Section);
        builder.Bind<SmtpOptions>(SmtpOptions.Section, (o, errors) =>
        {
            if (o.Mode == SmtpMode.Smtp && string.IsNullOrWhiteSpace(o.Host) && o.Servers.Count == 0)
                errors.Add("Smtp__Host (or Smtp__Servers__0__Host) is required when Smtp__Mode is Smtp");
            for (var i = 0; i < o.Servers.Count; i++)
                if (string.IsNullOrWhiteSpace(o.Servers[i].Host)) errors.Add($"Smtp__Servers__{i}__Host is required");
            if (o.Mode == SmtpMode.Pickup && string.IsNullOrWhiteSpace(o.PickupDirectory))
                errors.Add("Smtp__PickupDirectory is required when Smtp__Mode is Pickup");
            if (!string.IsNullOrEmpty(o.Username) && string.IsNullOrEmpty(o.Password))
                errors.Add("Smtp__Password is required when Smtp__Username is set");
        });
        builder.Bind<NewsletterOptions>(NewsletterOptions.Section);
        builder.Bind<ApiOptions>(ApiOptions.Section, (o, errors) =>
        {
            for (var i = 0; i < o.Keys.Count; i++)
                if (o.Keys[i].Length < 32) errors.Add($"Api__Keys__{i} must be at least 32 characters");
        });
        builder.Bind<AdminOptions>(AdminOptions.Section);
        builder.Bind<DeliveryOptions>(DeliveryOptions.Section, (o, errors) =>
        {
            if (o.RetryWindow <= TimeSpan.Zero) errors.Add("Delivery__RetryWindow must be positive");
            if (o.ClaimLease < TimeSpan.FromSeconds(5)) errors.Add("Delivery__ClaimLease must be at least 5 seconds");
        });
        builder.Bind<DkimOptions>(DkimOptions.Section, (o, errors) =>
        {
            var set = new[] { o.Domain, o.Selector, o.PrivateKeyFile }.Count(v => !string.IsNullOrWhiteSpace(v));
            if (set is 1 or 2) errors.Add("Dkim__Domain, Dkim__Selector and Dkim__PrivateKeyFile must be set together");
            if (o.Enabled && !File.Exists(o.PrivateKeyFile)) errors.Add($"Dkim__PrivateKeyFile '{o.PrivateKeyFile}' does not exist");
        });
        builder.Bind<ScheduleOptions>(ScheduleOptions.Section, (o, errors) =>
        {
            try { _ = WeeklyCron.Parse(o.Cron); }
            catch (Cronos.CronFormatException e) { errors.Add($"Schedule__Cron '{o.Cron}' is not a valid cron expression (5 fields, or 6 with seconds first): {e.Message}"); }
            if (o.MaxLateness <= TimeSpan.Zero) errors.Add("Schedule__MaxLateness must be positive");
            if (o.PollInterval < TimeSpan.FromSeconds(1)) errors.Add("Schedule__PollInterval must be at least 1 second");
            try { TimeZoneInfo.FindSystemTimeZoneById(o.TimeZone); }
            catch (TimeZoneNotFoundException) { errors.Add($"Schedule__TimeZone '{o.TimeZone}' is not a known time zone"); }
        });
        builder.Bind<ServiceOptions>(ServiceOptions.Section, (o, errors) =>
        {
            for (var i = 0; i < o.TrustedProxies.Count; i++)
                if (!System.Net.IPAddress.TryParse(o.TrustedProxies[i], out _)) errors.Add($"Service__TrustedProxies__{i} '{o.TrustedProxies[i]}' is not an IP address");
        });
        builder.Bind<MetricsOptions>(MetricsOptions.Section, (o, errors) =>
        {
            if (o.Port is < 1 or > 65535) errors.Add("Metrics__Port must be between 1 and 65535");
            if (!System.Net.IPAddress.TryParse(o.Address, out _)) errors.Add($"Metrics__Address '{o.Address}' is not an IP address");
            if (o.Token is { Length: > 0 and < 32 }) errors.Add("Metrics__Token must be at least 32 characters");
        });
        builder.Bind<TrackingOptions>(TrackingOptions.Section, (o, errors) =>
        {
            if (o.MachineClickWindow < TimeSpan.Zero) errors.Add("Tracking__MachineClickWindow must not be negative");
            if (o.FlushInterval <= TimeSpan.Zero) errors.Add("Tracking__FlushInterval must be positive");
        });
        builder.Bind<WebhooksOptions>(WebhooksOptions.Section, (o, errors) =>
        {
            for (var i = 0; i < o.Endpoints.Count; i++)
            {
                var e = o.Endpoints[i];
                if (!Uri.TryCreate(e.Url, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
                    errors.Add($"Webhooks__Endpoints__{i}__Url must be an absolute http(s) URL");
                if (!WebhookSecret.IsValid(e.Secret))
                    errors.Add($"Webhooks__Endpoints__{i}__Secret must be whsec_ followed by base64 of 24 to 64 bytes");
                if (e.Events.Count == 0) errors.Add($"Webhooks__Endpoints__{i}__Events must name at least one event");
                foreach (var name in e.Events.Where(n => !WebhooksOptions.EventTypes.Contains(n)))
                    errors.Add($"Webhooks__Endpoints__{i}__Events: unknown event '{name}' (one of {string.Join(", ", WebhooksOptions.EventTypes)})");
            }
            if (o.GiveUpAfter <= TimeSpan.Zero) errors.Add("Webhooks__GiveUpAfter must be positive");
            if (o.Timeout <= TimeSpan.Zero) errors.Add("Webhooks__Timeout must be positive");
            if (o.RetryBaseDelay <= TimeSpan.Zero) errors.Add("Webhooks__RetryBaseDelay must be positive");
        });
        // Bound and validated by their own projects; checked with the rest so every bad setting is reported at once.
        builder.Services.AddSettingsCheck<Newsletter.Subscribers.SubscribersOptions>();
        builder.Services.AddSettingsCheck<Newsletter.Comparisons.SelectionOptions>();
        return builder;
    }

    /// <summary>The database connection string, validated (one clear line when absent or malformed).</summary>
    public static string GetNewsletterConnectionString(this IConfiguration configuration)
    {
        var value = configuration.GetConnectionString("Newsletter");
        if (string.IsNullOrWhiteSpace(value))
            throw new ConfigurationErrorException("ConnectionStrings__Newsletter is required (an Npgsql connection string)");
        try
        {
            _ = new NpgsqlConnectionStringBuilder(value);
        }
        catch (ArgumentException e)
        {
            throw new ConfigurationErrorException($"ConnectionStrings__Newsletter is not a valid connection string: {e.Message}");
        }
        return value;
    }

    private static void Bind<T>(this IHostApplicationBuilder builder, string section, Action<T, List<string>>? check = null)
        where T : class
    {
        builder.Services.AddOptions<T>().BindConfiguration(section, o => o.ErrorOnUnknownConfiguration = false).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<T>>(new SettingsValidator<T>(section, check));
        builder.Services.AddSettingsCheck<T>();
    }

    /// <summary>DataAnnotations plus cross-field checks, with messages naming environment variables.</summary>
    private sealed class SettingsValidator<T>(string section, Action<T, List<string>>? check) : IValidateOptions<T>
        where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options)
        {
            var errors = new List<string>();
            var results = new List<ValidationResult>();
            Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
            foreach (var r in results)
            {
                var member = r.MemberNames.FirstOrDefault() ?? "?";
                errors.Add($"{section}__{member}: {r.ErrorMessage}");
            }
            check?.Invoke(options, errors);
            return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
        }
    }
}
