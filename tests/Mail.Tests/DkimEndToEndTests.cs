using System.Security.Cryptography;
using Newsletter.Mail.Dkim;
using Newsletter.Mail.Smtp;
using Newsletter.TestSupport;

namespace Newsletter.Mail.Tests;

public class DkimEndToEndTests
{
    [Fact]
    public async Task Signed_message_sent_through_smtp_sink_still_verifies_on_arrival()
    {
        using var key = RSA.Create(2048);
        var signer = new DkimSigner("verdicts.example", "e2e", key);
        using var sink = SmtpSink.Start();
        await using var pool = new SmtpConnectionPool(SmtpSinkTests.Options(sink));
        var m = EmailMessageTests.Sample("Grüße,\n.dot line\n\n\n", "<p>日本語</p>", "Ünïcödé verdicts");
        await pool.SendAsync(new SmtpEnvelope("bounce@verdicts.example", "reader@example.com"), signer.Sign(m.ToArray()), CancellationToken.None);
        var got = sink.WaitForMessages(1, TimeSpan.FromSeconds(5))[0];
        var arrived = System.Text.Encoding.UTF8.GetBytes(got.Raw[..^1].Replace("\n", "\r\n")); // the dump as the receiver saw it, with its Received header
        var (ok, output) = PythonRunner.VerifyDkim(arrived, "v=DKIM1; k=rsa; p=" + Convert.ToBase64String(key.ExportSubjectPublicKeyInfo()));
        Assert.True(ok, output);
    }
}
