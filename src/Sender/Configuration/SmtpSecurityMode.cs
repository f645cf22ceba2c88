namespace Newsletter.Sender.Configuration;

public enum SmtpSecurityMode
{
    None,
    StartTls,
    StartTlsWhenAvailable,
    SslOnConnect,
}
