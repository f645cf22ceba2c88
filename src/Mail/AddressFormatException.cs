namespace Newsletter.Mail;

/// <summary>Thrown when a text is not a valid RFC 5321/5322 addr-spec; <see cref="Exception.Message"/> names what is wrong.</summary>
public sealed class AddressFormatException : MailException
{
    /// <summary>Creates the exception.</summary>
    public AddressFormatException() { }

    /// <summary>Creates the exception.</summary>
    public AddressFormatException(string message) : base(message) { }

    /// <summary>Creates the exception.</summary>
    public AddressFormatException(string message, Exception? innerException) : base(message, innerException) { }

    /// <summary>Creates the exception for <paramref name="input"/> with the reason <paramref name="reason"/>.</summary>
    public AddressFormatException(string? input, string reason) : base($"Invalid e-mail address {Describe(input)}: {reason}") => Reason = reason;

    /// <summary>What is wrong with the address, without the address itself.</summary>
    public string? Reason { get; }

    private static string Describe(string? input) => input is null ? "(null)" : "\"" + input.Replace("\r", "\\r").Replace("\n", "\\n") + "\"";
}
