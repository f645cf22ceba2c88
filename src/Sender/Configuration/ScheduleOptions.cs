using System.ComponentModel.DataAnnotations;

namespace Newsletter.Sender.Configuration;

/// <summary>The weekly schedule.</summary>
public sealed class ScheduleOptions
{
    public const string Section = "Schedule";

    /// <summary>Quartz cron expression; default Monday 09:00.</summary>
    [Required] public string Cron { get; set; } = "0 0 9 ? * MON";

    [Required] public string TimeZone { get; set; } = "UTC";

    /// <summary>Run the weekly schedule in this process (the scheduler also stays off in the Web role).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Whether the schedule is on, for registrations made before the options exist (default as above). A bad value
    /// reads as the default here; binding the options reports it with the other settings.
    /// </summary>
    public static bool EnabledIn(IConfiguration configuration)
        => bool.TryParse(configuration[$"{Section}:{nameof(Enabled)}"], out var enabled) ? enabled : new ScheduleOptions().Enabled;

    public TimeSpan MaxLateness { get; set; } = TimeSpan.FromHours(6);
}
