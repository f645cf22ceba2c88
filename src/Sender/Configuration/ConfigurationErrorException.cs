namespace Newsletter.Sender.Configuration;

/// <summary>A setting is missing or wrong; the message names it. Stops the process with exit code 2.</summary>
public sealed class ConfigurationErrorException(string message) : Exception(message);
