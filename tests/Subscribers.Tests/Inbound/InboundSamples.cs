using System.Text;
using MimeKit;
using Newsletter.TestSupport;

namespace Newsletter.Subscribers.Tests.Inbound;

/// <summary>The sample reports under Inbound/Samples (written for these tests, in the shapes providers send), filled in.</summary>
public static class InboundSamples
{
    /// <summary>
    /// A sample with its placeholders filled: <paramref name="to"/> the return path the report is addressed to,
    /// <paramref name="recipient"/> the address that bounced, <paramref name="messageId"/> the original Message-ID.
    /// </summary>
    public static byte[] Fill(string name, string to, string recipient, string messageId)
    {
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Inbound", "Samples", name + ".eml"))
            .Replace("{{TO}}", to, StringComparison.Ordinal).Replace("{{RCPT}}", recipient, StringComparison.Ordinal)
            .Replace("{{MSGID}}", messageId, StringComparison.Ordinal).ReplaceLineEndings("\r\n");
        return Encoding.UTF8.GetBytes(text);
    }

    /// <summary>A minimal edition as delivered (the DSN returns it).</summary>
    public static byte[] Edition(string returnPath, string recipient, string messageId) => Encoding.UTF8.GetBytes(
        $"From: Weekly AI Tool Verdicts <verdicts@news.example.com>\r\nTo: {recipient}\r\nSubject: This week: two verdicts\r\n" +
        $"Date: Wed, 02 Dec 2026 09:00:00 +0000\r\nMessage-ID: <{messageId}>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThis week's comparisons.\r\n");

    public static byte[] Dsn(string returnPath, string recipient, string messageId, bool delayed = false)
        => PostfixDsn.Build(Edition(returnPath, recipient, messageId), returnPath, recipient,
            delayed ? $"452 4.2.2 <{recipient}>: Mailbox full" : $"550 5.1.1 <{recipient}>: Recipient address rejected: User unknown in local recipient table", delayed);

    public static MimeMessage Parse(byte[] bytes) => MimeMessage.Load(new MemoryStream(bytes));
}
