using Microsoft.Extensions.Options;
using Newsletter.Sender.Jobs;

namespace Newsletter.Sender.Public;

/// <summary>Describes the weekly schedule for readers ("every Monday at 09:00 UTC") and finds the next send.</summary>
public sealed class ScheduleDescription(IOptions<ScheduleOptions> options, TimeProvider time)
{
    public DateTimeOffset? Next()
    {
        var o = options.Value;
        return WeeklyCron.Next(o.Cron, TimeZoneInfo.FindSystemTimeZoneById(o.TimeZone), time.GetUtcNow());
    }

    public string Describe()
    {
        var next = Next();
        if (next is null) return "once a week";
        var zone = TimeZoneInfo.FindSystemTimeZoneById(options.Value.TimeZone);
        var local = TimeZoneInfo.ConvertTime(next.Value, zone);
        return $"every {local:dddd} at {local:HH:mm} {options.Value.TimeZone}";
    }
}
