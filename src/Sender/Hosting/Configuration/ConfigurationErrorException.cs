namespace Newsletter.Sender.Hosting;

/// <summary>
/// Settings are missing or wrong; <see cref="Errors"/> has one line per setting, each naming its environment variable.
/// Stops the process with exit code 2.
/// </summary>
public sealed class ConfigurationErrorException : Exception
{
    public ConfigurationErrorException(string message)
        : this([message])
    {
    }

    public ConfigurationErrorException(IReadOnlyList<string> errors)
        : base(string.Join("; ", errors))
    {
        Errors = errors;
    }

    /// <summary>One line per missing or bad setting.</summary>
    public IReadOnlyList<string> Errors { get; }
}
