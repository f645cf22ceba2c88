using System.Security.Cryptography;
using Newsletter.Mail.Dkim;
using Newsletter.Mail.Mime;
using Newsletter.TestSupport;

namespace Newsletter.Mail.Tests;

public class DkimTests
{
    private static readonly Lazy<RSA> Key = new(() => RSA.Create(2048));

    private static string PublicRecord => "v=DKIM1; k=rsa; p=" + Convert.ToBase64String(Key.Value.ExportSubjectPublicKeyInfo());

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private static DkimSigner Signer(IEnumerable<string>? headers = null) =>
        new("Verdicts.Example", "s2026", Key.Value, headers, new FixedTime(DateTimeOffset.FromUnixTimeSeconds(1_795_000_000)));

    private static void AssertVerifies(byte[] signed)
    {
        var (ok, output) = PythonRunner.VerifyDkim(signed, PublicRecord);
        Assert.True(ok, output + "\n---\n" + System.Text.Encoding.UTF8.GetString(signed));
    }

    [Fact]
    public void Signature_of_a_non_ascii_multipart_message_with_qp_and_base64_bodies_verifies_with_python_dkim()
    {
        var m = EmailMessageTests.Sample("Grüße \t  mit   Leerzeichen  \nund mehr\n\n\n\n", "<p>日本語のテキストです。これはベース64になります。</p>\n\n\n",
            "Ünïcödé subject that is long enough to be folded over more than one line of the header — 日本語");
        m.Headers.Add("List-Unsubscribe", "<mailto:u@verdicts.example?subject=x>, <https://verdicts.example/unsubscribe/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa>");
        m.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        var signed = Signer().Sign(m.ToArray());
        var text = System.Text.Encoding.ASCII.GetString(signed);
        Assert.StartsWith("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=verdicts.example; s=s2026;", text, StringComparison.Ordinal);
        Assert.Contains("t=1795000000;", text, StringComparison.Ordinal);
        Assert.Contains("h=from:to:subject:date:message-id:mime-version:content-type:", text.Replace("\r\n\t  ", ""), StringComparison.Ordinal);
        Assert.Contains("list-unsubscribe:list-unsubscribe-post", text.Replace("\r\n\t  ", ""), StringComparison.Ordinal);
        AssertVerifies(signed);
    }

    [Theory]
    [InlineData("plain 7bit body\r\n")]
    [InlineData("trailing blank lines\r\n\r\n\r\n")]
    [InlineData("")]
    [InlineData("   \r\n\t\r\n")]
    [InlineData("no final newline  ")]
    [InlineData("inner  \t spaces \r\nand trailing \t\r\n\r\nx\r\n")]
    public void Raw_bodies_with_odd_white_space_verify(string body)
    {
        var msg = "From: a@verdicts.example\r\nTo: b@example.com\r\nSubject:   spaced\t out  \r\n folded\r\nDate: Sun, 22 Nov 2026 03:30:00 +0000\r\n\r\n" + body;
        var signed = Signer().Sign(System.Text.Encoding.ASCII.GetBytes(msg));
        // SMTP always ends the data with CRLF (RFC 5321 §4.1.1.4), so that is what a verifier sees.
        if (!msg.EndsWith("\r\n", StringComparison.Ordinal)) signed = [.. signed, (byte)'\r', (byte)'\n'];
        AssertVerifies(signed);
    }

    [Fact]
    public void Output_is_deterministic_with_a_fixed_clock_and_tampering_is_detected()
    {
        var bytes = EmailMessageTests.Sample().ToArray();
        var a = Signer().Sign(bytes);
        Assert.Equal(a, Signer().Sign(bytes));
        var tampered = System.Text.Encoding.ASCII.GetBytes(System.Text.Encoding.ASCII.GetString(a).Replace("Weekly verdicts", "Weekly verdictz"));
        Assert.False(PythonRunner.VerifyDkim(tampered, PublicRecord).Verified);
    }

    [Fact]
    public void A_header_list_without_From_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => Signer(["To", "Subject"]));
        Assert.Contains("From", e.Message, StringComparison.Ordinal);
        Assert.Throws<MailException>(() => Signer().Sign("To: x@y.z\r\n\r\nbody\r\n"u8));
        using var small = RSA.Create(512);
        Assert.Throws<ArgumentException>(() => new DkimSigner("d.example", "s", small));
    }

    [Fact]
    public void Key_can_be_loaded_from_a_pem_file_and_the_buffer_writer_overload_matches()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, Key.Value.ExportPkcs8PrivateKeyPem());
            var signer = DkimSigner.FromPemFile("verdicts.example", "s2026", path, time: new FixedTime(DateTimeOffset.FromUnixTimeSeconds(1_795_000_000)));
            var bytes = EmailMessageTests.Sample().ToArray();
            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            signer.Sign(bytes, buffer);
            Assert.Equal(signer.Sign(bytes), buffer.WrittenSpan.ToArray());
            AssertVerifies(buffer.WrittenSpan.ToArray());
            File.WriteAllText(path, "not a key");
            Assert.Throws<ArgumentException>(() => DkimSigner.FromPemFile("verdicts.example", "s", path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Template_rendered_messages_sign_and_verify()
    {
        var m = EmailMessageTests.Sample("Hallo {{{x.name}}}\n", "<p>{{{x.name}}}</p>");
        var t = MessageTemplate.Compile(m, "{{{x.", "}}}");
        AssertVerifies(Signer().Sign(t.Render(new Dictionary<string, string> { ["name"] = "Jörg <j>" })));
    }

    /// <summary>RFC 6376 §3.4.4 written out plainly, line by line: the reference the fast canonicalizer must match.</summary>
    private static byte[] RelaxedBodyReference(byte[] body)
    {
        var lines = System.Text.Encoding.Latin1.GetString(body).Split("\r\n");
        var canonical = lines.Select(l => System.Text.RegularExpressions.Regex.Replace(l, "[ \t]+", " ").TrimEnd(' ')).ToList();
        while (canonical.Count > 0 && canonical[^1].Length == 0) canonical.RemoveAt(canonical.Count - 1);
        return canonical.Count == 0 ? [] : System.Text.Encoding.Latin1.GetBytes(string.Join("\r\n", canonical) + "\r\n");
    }

    [Fact]
    public void Body_hash_matches_a_line_by_line_reference_on_random_white_space()
    {
        // Random bodies built from the pieces that matter: words, spaces, tabs, CRLF, empty lines. (No bare CR or LF:
        // the composer never writes one and the SMTP client sends any as CRLF, so no verifier sees one.)
        var random = new Random(20261128);
        string[] pieces = ["word", "x", " ", " ", "  ", "\t", " \t ", "\r\n", "\r\n", "\r\n\r\n", "\t\r\n"];
        for (var i = 0; i < 2000; i++)
        {
            var text = string.Concat(Enumerable.Range(0, random.Next(0, 40)).Select(_ => pieces[random.Next(pieces.Length)]));
            var body = System.Text.Encoding.Latin1.GetBytes(text);
            var expected = SHA256.HashData(RelaxedBodyReference(body));
            Assert.True(expected.AsSpan().SequenceEqual(DkimCanonicalizer.HashBody(body)), $"body {i}: {text.Replace("\r", "\\r").Replace("\n", "\\n").Replace("\t", "\\t")}");
        }
    }
}
