using System.Text;
using Newsletter.Mail.Mime;

namespace Newsletter.Mail.Tests;

public class EmailMessageTests
{
    internal static EmailMessage Sample(string? text = "Hello\nWorld\n", string? html = "<p>Hello</p>\n", string subject = "Weekly verdicts")
    {
        var m = new EmailMessage
        {
            From = new Mailbox("Verdicts", EmailAddress.Parse("news@verdicts.example")),
            Subject = subject,
            Date = new DateTimeOffset(2026, 11, 22, 3, 30, 0, TimeSpan.Zero),
            MessageId = "e12.s34@verdicts.example",
            TextBody = text,
            HtmlBody = html,
            Boundary = "=_b0undary",
        };
        m.To.Add(new Mailbox("Reader", EmailAddress.Parse("reader@example.com")));
        return m;
    }

    private static string Lf(string s) => s.Replace("\r\n", "\n");

    [Fact]
    public void Ascii_message_is_multipart_alternative_with_7bit_parts_and_crlf_only()
    {
        var bytes = Sample().ToArray();
        var s = System.Text.Encoding.UTF8.GetString(bytes);
        Assert.DoesNotContain("\n", s.Replace("\r\n", ""), StringComparison.Ordinal);
        Assert.DoesNotContain("\r", s.Replace("\r\n", ""), StringComparison.Ordinal);
        Assert.StartsWith("Date: Sun, 22 Nov 2026 03:30:00 +0000\r\nFrom: Verdicts <news@verdicts.example>\r\nTo: Reader <reader@example.com>\r\nSubject: Weekly verdicts\r\nMessage-ID: <e12.s34@verdicts.example>\r\nMIME-Version: 1.0\r\n", s, StringComparison.Ordinal);
        Assert.Contains("Content-Transfer-Encoding: 7bit", s, StringComparison.Ordinal);
        var p = PythonEmail.Parse(bytes);
        Assert.Equal("multipart/alternative", p.GetProperty("content_type").GetString());
        Assert.Equal(0, p.GetProperty("defects").GetArrayLength());
        var parts = p.GetProperty("parts");
        Assert.Equal("text/plain", parts[0].GetProperty("type").GetString());
        Assert.Equal("Hello\nWorld\n", parts[0].GetProperty("content").GetString());
        Assert.Equal("text/html", parts[1].GetProperty("type").GetString());
        Assert.Equal("<p>Hello</p>\n", parts[1].GetProperty("content").GetString());
    }

    [Fact]
    public void Non_ascii_text_and_headers_decode_to_exactly_what_was_composed()
    {
        var text = "Grüße aus Köln – “quotes” and trailing space \nnext line\ttab\t\n" + new string('x', 200) + "\n.leading dot\n";
        var html = "<p>日本語のテキストです。これはベース64になります。</p>\n";
        var m = Sample(text, html, "Ünïcödé subject with a fairly long tail so that it must be folded over several lines — 日本語 too");
        m.From = new Mailbox("Zoë \"the critic\" Ångström", EmailAddress.Parse("news@verdicts.example"));
        m.Headers.Add("List-Unsubscribe", "<mailto:unsub@verdicts.example?subject=e12.s34>, <https://verdicts.example/unsubscribe/e12.s34/very-long-token-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa>");
        m.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        m.Headers.Add("X-Campaign", "Ausgabe für Jörg");
        var bytes = m.ToArray();
        var s = System.Text.Encoding.UTF8.GetString(bytes);
        foreach (var line in s.Split("\r\n")) Assert.True(line.Length <= 78 || !line.TrimStart().Contains(' ', StringComparison.Ordinal), "line too long: " + line);
        Assert.True(bytes.All(b => b < 0x80), "message must be 7-bit clean");
        Assert.Contains("quoted-printable", s, StringComparison.Ordinal);
        Assert.Contains("base64", s, StringComparison.Ordinal);
        var p = PythonEmail.Parse(bytes);
        Assert.Equal(m.Subject, p.Header("Subject"));
        Assert.Equal("Zoë \"the critic\" Ångström", p.GetProperty("from_display").GetString());
        Assert.Equal("Ausgabe für Jörg", p.Header("X-Campaign"));
        Assert.Equal(m.Headers.Get("List-Unsubscribe"), p.Header("List-Unsubscribe"));
        Assert.Equal(text, p.GetProperty("parts")[0].GetProperty("content").GetString());
        Assert.Equal(html, p.GetProperty("parts")[1].GetProperty("content").GetString());
        Assert.Equal("utf-8", p.GetProperty("parts")[0].GetProperty("charset").GetString());
    }

    [Fact]
    public void Header_injection_is_impossible()
    {
        var m = Sample();
        Assert.Throws<ArgumentException>(() => m.Subject = "Hi\r\nBcc: victim@example.com");
        Assert.Throws<ArgumentException>(() => m.Headers.Add("X-Test", "a\nb"));
        Assert.Throws<ArgumentException>(() => m.Headers.Add("X Test", "a"));
        Assert.Throws<ArgumentException>(() => m.Headers.Add("X-Test:", "a"));
        Assert.Throws<ArgumentException>(() => m.Headers.Add("Bcc", "a@b.c"));
        Assert.Throws<ArgumentException>(() => m.Headers.Add("Content-Type", "text/plain"));
        Assert.Throws<ArgumentException>(() => m.MessageId = "a@b>\r\nX: y");
        m.To.Add(new Mailbox("Evil\r\nBcc: x@y.z", EmailAddress.Parse("x@example.com")));
        Assert.Throws<ArgumentException>(() => m.ToArray());
    }

    [Fact]
    public void Single_body_message_is_not_multipart()
    {
        var bytes = Sample(text: "only text", html: null).ToArray();
        var p = PythonEmail.Parse(bytes);
        Assert.Equal("text/plain", p.GetProperty("content_type").GetString());
        Assert.Equal("only text\n", p.GetProperty("parts")[0].GetProperty("content").GetString());
        Assert.EndsWith("only text\r\n", System.Text.Encoding.ASCII.GetString(bytes), StringComparison.Ordinal);
    }

    [Fact]
    public void Long_lines_force_quoted_printable_with_lines_of_at_most_76()
    {
        var text = new string('a', 2000) + " \n";
        var bytes = Sample(text, null).ToArray();
        var s = System.Text.Encoding.ASCII.GetString(bytes);
        Assert.Contains("quoted-printable", s, StringComparison.Ordinal);
        var body = s[(s.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
        Assert.All(body.Split("\r\n"), l => Assert.True(l.Length <= 76, l));
        Assert.Contains("=20\r\n", body, StringComparison.Ordinal); // trailing white space encoded before the line break
        Assert.Equal(text, PythonEmail.Parse(bytes).GetProperty("parts")[0].GetProperty("content").GetString());
    }

    [Fact]
    public void Output_is_reproducible_once_ids_are_set()
    {
        var m = Sample("ä", "ö");
        Assert.Equal(m.ToArray(), m.ToArray());
    }
}
