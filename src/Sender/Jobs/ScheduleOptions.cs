using System.ComponentModel.DataAnnotations;

namespace Newsletter.Sender.Jobs;

/// <summary>The weekly schedule (a Hangfire recurring job).</summary>
public sealed class ScheduleOptions
{
    public const string Section = "Schedule";

    /// <summary>Cron expression: 5 fields, or 6 with seconds first (Hangfire's rules); default Monday 09:00.</summary>
    [Required] public string Cron { get; set; } = "0 0 9 ? * MON";

    [Required] public string TimeZone { get; set; } = "UTC";

    /// <summary>Keep the weekly recurring job; false removes it (for the whole cluster: it is stored in the database).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Whether the schedule is on, for registrations made before the options exist (default as above). A bad value
    /// reads as the default here; binding the options reports it with the other settings.
    /// </summary>
    public static bool EnabledIn(IConfiguration configuration)
        => bool.TryParse(configuration[$"{Section}:{nameof(Enabled)}"], out var enabled) ? enabled : new ScheduleOptions().Enabled;

    public TimeSpan MaxLateness { get; set; } = TimeSpan.FromHours(6);

    /// <summary>How often the Hangfire server looks for due recurring runs and queued jobs.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(15);
}
