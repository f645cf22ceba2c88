namespace Newsletter.Sender.Admin;

/// <summary>A new TOTP key as the admin sees it once: the key as text, the otpauth URI and its QR code (a PNG data URI).</summary>
public sealed record TwoFactorEnrolment(string Key, string OtpAuthUri, string QrCodeDataUri);
