using System.Data;
using Dapper;

namespace Newsletter.Database;

/// <summary>
/// Dapper reads <c>timestamptz</c> as <see cref="DateTimeOffset"/> in UTC and writes any <see cref="DateTimeOffset"/>
/// as UTC (Npgsql refuses a non-zero offset for <c>timestamptz</c>). Npgsql hands Dapper a UTC <see cref="DateTime"/>;
/// without this handler every query would need its own <c>DateTime.SpecifyKind</c>.
/// </summary>
public sealed class UtcTimes : SqlMapper.TypeHandler<DateTimeOffset>
{
    private static int registered;

    /// <summary>Registers the handler with Dapper, once per process.</summary>
    public static void Register()
    {
        if (Interlocked.Exchange(ref registered, 1) == 0) SqlMapper.AddTypeHandler(new UtcTimes());
    }

    /// <summary>A time read as a <see cref="DateTime"/> that is UTC (from Npgsql, Hangfire), as a <see cref="DateTimeOffset"/>.</summary>
    public static DateTimeOffset Of(DateTime utc) => new(DateTime.SpecifyKind(utc, DateTimeKind.Utc));

    /// <inheritdoc cref="Of(DateTime)"/>
    public static DateTimeOffset? Of(DateTime? utc) => utc is { } t ? Of(t) : null;

    public override DateTimeOffset Parse(object value) => value switch
    {
        DateTimeOffset o => o.ToUniversalTime(),
        DateTime d => Of(d),
        _ => throw new DataException($"cannot read {value.GetType().Name} as a time"),
    };

    public override void SetValue(IDbDataParameter parameter, DateTimeOffset value)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        parameter.Value = value.ToUniversalTime();
    }
}
