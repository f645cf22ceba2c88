namespace Newsletter.Mail;

/// <summary>An address with an optional display name (RFC 5322 §3.4 name-addr).</summary>
/// <param name="DisplayName">Free text shown by mail readers; encoded as RFC 2047 words when not ASCII. Must not contain CR or LF.</param>
/// <param name="Address">The addr-spec.</param>
public sealed record Mailbox(string? DisplayName, EmailAddress Address)
{
    /// <summary>Creates a mailbox without display name.</summary>
    public Mailbox(EmailAddress address) : this(null, address) { }

    /// <summary>Parses <paramref name="address"/> and pairs it with <paramref name="displayName"/>.</summary>
    /// <exception cref="AddressFormatException">The address is not valid.</exception>
    public static Mailbox Create(string address, string? displayName = null) => new(displayName, EmailAddress.Parse(address));
}
