namespace Newsletter.Sender.Editions;

/// <summary>Click and open tracking of editions.</summary>
public sealed class TrackingOptions
{
    public const string Section = "Tracking";

    public ClickTracking Clicks { get; set; } = ClickTracking.Anonymous;

    public OpenTracking Opens { get; set; } = OpenTracking.Off;

    /// <summary>A fetch this soon after its message was composed is a link scanner's, counted as machine.</summary>
    public TimeSpan MachineClickWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often the clicks received are added to the counters (one statement per flush).</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Further user-agent substrings (case-insensitive) that mark a machine, besides the built-in list of scanners.</summary>
    public List<string> MachineUserAgents { get; set; } = [];
}
