namespace Newsletter.Mail.Smtp;

/// <summary>Service extensions announced in the EHLO reply (RFC 5321 §4.1.1.1).</summary>
[Flags]
public enum SmtpExtensions
{
    /// <summary>Nothing (HELO server).</summary>
    None = 0,

    /// <summary>RFC 2920.</summary>
    Pipelining = 1,

    /// <summary>RFC 1870; the limit is in <see cref="SmtpCapabilities.MaxSize"/>.</summary>
    Size = 2,

    /// <summary>RFC 6152.</summary>
    EightBitMime = 4,

    /// <summary>RFC 6531.</summary>
    SmtpUtf8 = 8,

    /// <summary>RFC 2034.</summary>
    EnhancedStatusCodes = 16,

    /// <summary>RFC 3207.</summary>
    StartTls = 32,

    /// <summary>RFC 4954; mechanisms in <see cref="SmtpCapabilities.AuthMechanisms"/>.</summary>
    Auth = 64,

    /// <summary>RFC 3030.</summary>
    Chunking = 128,

    /// <summary>RFC 3461.</summary>
    Dsn = 256,
}
