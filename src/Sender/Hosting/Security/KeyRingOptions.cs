namespace Newsletter.Sender.Hosting;

/// <summary>
/// The "DataProtection" section: how the key ring that signs admin cookies and antiforgery tokens is kept. The ring
/// lives in the database; with a certificate its keys are encrypted there (XML encryption to the certificate's RSA key).
/// </summary>
public sealed class KeyRingOptions
{
    public const string Section = "DataProtection";

    /// <summary>A PKCS#12 (.pfx) file with the certificate and its private key; unset: keys stored unencrypted.</summary>
    public string? CertificateFile { get; set; }

    public string? CertificatePassword { get; set; }
}
