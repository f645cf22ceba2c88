using Newsletter.Mail.Smtp;

namespace Newsletter.Mail.Tests;

public class TlsTests
{
    private static readonly Lazy<System.Security.Cryptography.X509Certificates.X509Certificate2> Cert = new(() => ScriptedSmtpServer.CreateCertificate("localhost"));

    private static SmtpClientOptions Options(int port, SmtpSecurity security, bool acceptInvalid = false, string? user = null, bool allowPlainAuth = false) => new()
    {
        Host = "localhost",
        Port = port,
        Security = security,
        AcceptInvalidCertificates = acceptInvalid,
        Username = user,
        Password = user is null ? null : "s3cret-pa55",
        AllowAuthWithoutTls = allowPlainAuth,
        CommandTimeout = TimeSpan.FromSeconds(5),
        ConnectTimeout = TimeSpan.FromSeconds(5),
    };

    private static readonly SmtpEnvelope Envelope = new("a@verdicts.example", "b@example.com");

    [Theory]
    [InlineData(SmtpSecurity.StartTls, false)]
    [InlineData(SmtpSecurity.StartTlsWhenAvailable, false)]
    [InlineData(SmtpSecurity.SslOnConnect, true)]
    public async Task Untrusted_certificate_is_refused_by_default(SmtpSecurity security, bool implicitTls)
    {
        await using var server = new ScriptedSmtpServer(Cert.Value, implicitTls);
        await using var client = new SmtpClient(Options(server.Port, security));
        var e = await Assert.ThrowsAsync<SmtpTlsException>(() => client.ConnectAsync(CancellationToken.None));
        Assert.False(e.IsTransient);
        Assert.False(client.IsConnected);
    }

    [Theory]
    [InlineData(SmtpSecurity.StartTls, false)]
    [InlineData(SmtpSecurity.SslOnConnect, true)]
    public async Task Message_is_sent_encrypted_when_the_certificate_is_accepted(SmtpSecurity security, bool implicitTls)
    {
        await using var server = new ScriptedSmtpServer(Cert.Value, implicitTls);
        await using var pool = new SmtpConnectionPool(Options(server.Port, security, acceptInvalid: true));
        await pool.SendAsync(Envelope, "Subject: tls\r\n\r\n.hidden\r\n"u8.ToArray(), CancellationToken.None);
        Assert.Equal("Subject: tls\n\n.hidden\n", Assert.Single(server.Messages));
        if (!implicitTls) Assert.Equal(2, server.Lines.Count(l => l.StartsWith("EHLO", StringComparison.Ordinal))); // EHLO again after STARTTLS (RFC 3207 §4.2)
    }

    [Fact]
    public async Task Pinned_certificate_is_accepted_through_a_validation_callback()
    {
        await using var server = new ScriptedSmtpServer(Cert.Value, implicitTls: false);
        var thumb = Cert.Value.GetCertHashString();
        await using var client = new SmtpClient(new SmtpClientOptions
        {
            Host = "localhost", Port = server.Port, Security = SmtpSecurity.StartTls,
            ServerCertificateValidationCallback = (_, cert, _, _) => cert?.GetCertHashString() == thumb,
        });
        await client.ConnectAsync(CancellationToken.None);
        Assert.True(client.IsEncrypted);
    }

    [Fact]
    public async Task Required_starttls_that_is_not_offered_fails_clearly()
    {
        await using var server = new ScriptedSmtpServer(Cert.Value, implicitTls: false, offerStartTls: false);
        await using var client = new SmtpClient(Options(server.Port, SmtpSecurity.StartTls, acceptInvalid: true));
        var e = await Assert.ThrowsAsync<SmtpNotSupportedException>(() => client.ConnectAsync(CancellationToken.None));
        Assert.Contains("STARTTLS", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Auth_is_refused_over_an_unencrypted_connection_unless_allowed()
    {
        await using var server = new ScriptedSmtpServer(Cert.Value, implicitTls: false, offerStartTls: false);
        await using (var client = new SmtpClient(Options(server.Port, SmtpSecurity.None, user: "user")))
        {
            await Assert.ThrowsAsync<SmtpNotSupportedException>(() => client.ConnectAsync(CancellationToken.None));
        }
        Assert.DoesNotContain(server.Lines, l => l.StartsWith("AUTH", StringComparison.Ordinal));
        var log = new List<string>();
        await using (var client = new SmtpClient(Options(server.Port, SmtpSecurity.None, user: "user", allowPlainAuth: true), log.Add))
        {
            await client.ConnectAsync(CancellationToken.None);
        }
        Assert.Contains(server.Lines, l => l == "AUTH PLAIN " + Convert.ToBase64String("\0user\0s3cret-pa55"u8.ToArray()));
        Assert.DoesNotContain(log, l => l.Contains("s3cret", StringComparison.Ordinal) || l.Contains(Convert.ToBase64String("\0user\0s3cret-pa55"u8.ToArray()), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Auth_plain_is_used_after_starttls()
    {
        await using var server = new ScriptedSmtpServer(Cert.Value, implicitTls: false);
        await using var client = new SmtpClient(Options(server.Port, SmtpSecurity.StartTls, acceptInvalid: true, user: "user"));
        await client.ConnectAsync(CancellationToken.None);
        Assert.True(client.IsEncrypted);
        var lines = server.Lines.ToArray();
        Assert.True(Array.IndexOf(lines, "STARTTLS") < Array.FindIndex(lines, l => l.StartsWith("AUTH PLAIN", StringComparison.Ordinal)));
    }
}
