using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Newsletter.Sender.Hosting;

/// <summary>
/// Checks every setting before a command runs and reports them all at once: the options' validators stop at the first
/// class that fails (and a value that does not convert, e.g. <c>Smtp__Port=abc</c>, throws out of binding), so each
/// options class is resolved on its own here and every failure becomes one line naming its environment variable.
/// </summary>
public static partial class ConfigurationCheck
{
    /// <summary>Registers <typeparamref name="T"/> to be resolved (bound and validated) by <see cref="ThrowIfInvalid"/>.</summary>
    public static IServiceCollection AddSettingsCheck<T>(this IServiceCollection services)
        where T : class
        => services.AddSingleton(new SettingsCheck(sp => _ = sp.GetRequiredService<IOptions<T>>().Value));

    /// <summary>Throws <see cref="ConfigurationErrorException"/> with one line per missing or bad setting.</summary>
    public static void ThrowIfInvalid(IServiceProvider services)
    {
        var errors = new List<string>();
        try
        {
            services.GetRequiredService<IConfiguration>().GetNewsletterConnectionString();
        }
        catch (ConfigurationErrorException e)
        {
            errors.AddRange(e.Errors);
        }
        foreach (var check in services.GetServices<SettingsCheck>())
            Collect(() => check.Resolve(services), errors);
        // Anything else registered with ValidateOnStart.
        Collect(() => services.GetRequiredService<IStartupValidator>().Validate(), errors);
        if (errors.Count > 0) throw new ConfigurationErrorException(errors.Distinct(StringComparer.Ordinal).ToList());
    }

    /// <summary>The lines of a validation failure thrown while settings were bound or validated; empty when it is none.</summary>
    public static IReadOnlyList<string> Lines(Exception exception)
    {
        switch (exception)
        {
            case OptionsValidationException e:
                return e.Failures.ToList();
            case AggregateException e:
                return e.InnerExceptions.SelectMany(i => Lines(i)).ToList();
            case ConfigurationErrorException e:
                return e.Errors;
            case InvalidOperationException e when ConversionFailure().Match(e.Message) is { Success: true } m:
                return [NotConvertible(m.Groups["path"].Value, m.Groups["type"].Value)];
            default:
                return [];
        }
    }

    private static void Collect(Action resolve, List<string> errors)
    {
        try
        {
            resolve();
        }
        catch (Exception e) when (Lines(e).Count > 0)
        {
            errors.AddRange(Lines(e));
        }
    }

    // The value itself is not echoed: a secret put in the wrong setting must not end up in a log.
    private static string NotConvertible(string path, string typeName)
    {
        var variable = path.Replace(":", "__", StringComparison.Ordinal);
        var type = Type.GetType(typeName) ?? AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetType(typeName)).FirstOrDefault(t => t is not null);
        type = type is null ? null : Nullable.GetUnderlyingType(type) ?? type;
        var expected = type switch
        {
            { IsEnum: true } => "one of " + string.Join(", ", Enum.GetNames(type)),
            _ when type == typeof(TimeSpan) => "a time span such as 00:05:00 or 2.00:00:00",
            _ when type == typeof(bool) => "true or false",
            _ when type == typeof(int) || type == typeof(long) => "a whole number",
            _ when type == typeof(double) || type == typeof(decimal) => "a number",
            _ => "a value of type " + (type?.Name ?? typeName),
        };
        return $"{variable}: the value is not valid; expected {expected}";
    }

    [GeneratedRegex(@"at '(?<path>[^']+)' to type '(?<type>[^']+)'")]
    private static partial Regex ConversionFailure();
}
