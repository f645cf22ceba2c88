using Cronos;

namespace Newsletter.Sender.Jobs;

/// <summary>
/// Reads Schedule__Cron the way Hangfire does: five fields (minute hour day month weekday), or six with seconds
/// first (so the default <c>0 0 9 ? * MON</c>, written in that older six-field style, keeps working; <c>?</c> means "any").
/// </summary>
public static class WeeklyCron
{
    /// <exception cref="CronFormatException">not a 5- or 6-field cron expression.</exception>
    public static CronExpression Parse(string expression)
    {
        var fields = expression.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries).Length;
        if (fields is not (5 or 6))
            throw new CronFormatException($"it has {fields} fields; use 5 (minute hour day month weekday) or 6 (seconds first)");
        return CronExpression.Parse(expression, fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
    }

    /// <summary>The next occurrence after <paramref name="after"/> in <paramref name="zone"/>, or null when there is none.</summary>
    public static DateTimeOffset? Next(string expression, TimeZoneInfo zone, DateTimeOffset after)
        => Parse(expression).GetNextOccurrence(after, zone);
}
