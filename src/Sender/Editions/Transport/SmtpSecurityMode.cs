namespace Newsletter.Sender.Editions;

public enum SmtpSecurityMode
{
    None,
    StartTls,
    StartTlsWhenAvailable,
    SslOnConnect,
}
