namespace Newsletter.Mail.Smtp;

/// <summary>How the connection to the server is protected.</summary>
public enum SmtpSecurity
{
    /// <summary>Plain text; STARTTLS is never attempted.</summary>
    None,

    /// <summary>STARTTLS (RFC 3207) is required; connecting fails if the server does not offer it.</summary>
    StartTls,

    /// <summary>STARTTLS when the server offers it, plain text otherwise.</summary>
    StartTlsWhenAvailable,

    /// <summary>TLS from the first byte (implicit TLS, RFC 8314 §3.3, usually port 465).</summary>
    SslOnConnect,
}
