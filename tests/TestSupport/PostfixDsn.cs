using System.Globalization;
using System.Text;

namespace Newsletter.TestSupport;

/// <summary>
/// Builds a delivery status notification as Postfix's bounce(8) writes one with its default templates: headers
/// (MAILER-DAEMON, "Undelivered Mail Returned to Sender", <c>Auto-Submitted: auto-replied</c>), the human-readable
/// notification, the <c>message/delivery-status</c> part (Reporting-MTA, X-Postfix-Queue-ID, X-Postfix-Sender,
/// Arrival-Date; per recipient Final-Recipient, Original-Recipient, Action, Status, Remote-MTA, Diagnostic-Code), and
/// the returned message as <c>message/rfc822</c> with the Return-Path the sending MTA added. Addressed, as Postfix
/// addresses it, to the original envelope sender; <c>Delivered-To</c> is what local delivery into the mailbox adds.
/// </summary>
public static class PostfixDsn
{
    /// <summary>A DSN for <paramref name="recipient"/> about <paramref name="original"/> (the message bytes as delivered).</summary>
    /// <param name="envelopeFrom">The original MAIL FROM: the DSN goes to it.</param>
    /// <param name="reply">The remote server's reply, e.g. "550 5.1.1 &lt;x@y&gt;: Recipient address rejected: User unknown in local recipient table".</param>
    /// <param name="delayed">A "delayed" notice (4.x.x, still being retried) instead of a failure.</param>
    public static byte[] Build(byte[] original, string envelopeFrom, string recipient, string reply, bool delayed = false, DateTimeOffset? at = null)
    {
        ArgumentNullException.ThrowIfNull(original);
        var when = at ?? DateTimeOffset.UtcNow;
        var date = when.ToString("ddd, d MMM yyyy HH:mm:ss +0000", CultureInfo.InvariantCulture) + " (UTC)";
        var queueId = Convert.ToHexString(Guid.NewGuid().ToByteArray())[..11];
        const string host = "mx.example.net";
        var boundary = $"{queueId}.{when.ToUnixTimeSeconds()}/{host}";
        var status = reply.Split(' ').Skip(1).FirstOrDefault(s => s.Length >= 5 && s[1] == '.') ?? (delayed ? "4.0.0" : "5.0.0");
        var remote = "mail." + recipient[(recipient.IndexOf('@', StringComparison.Ordinal) + 1)..];
        var returned = Encoding.UTF8.GetString(original).ReplaceLineEndings("\r\n");
        var sb = new StringBuilder();
        void Line(string text) => sb.Append(text).Append("\r\n");
        Line($"Return-Path: <>");
        Line($"Delivered-To: {envelopeFrom}");
        Line($"Received: by {host} (Postfix)");
        Line($"\tid {queueId}; {date}");
        Line($"Date: {date}");
        Line($"From: MAILER-DAEMON@{host} (Mail Delivery System)");
        Line(delayed ? "Subject: Delayed Mail (still being retried)" : "Subject: Undelivered Mail Returned to Sender");
        Line($"To: {envelopeFrom}");
        Line("Auto-Submitted: auto-replied");
        Line("MIME-Version: 1.0");
        Line("Content-Type: multipart/report; report-type=delivery-status;");
        Line($"\tboundary=\"{boundary}\"");
        Line("Content-Transfer-Encoding: 8bit");
        Line($"Message-Id: <{when:yyyyMMddHHmmss}.{queueId}@{host}>");
        Line("");
        Line("This is a MIME-encapsulated message.");
        Line("");
        Line($"--{boundary}");
        Line("Content-Description: Notification");
        Line("Content-Type: text/plain; charset=us-ascii");
        Line("");
        Line($"This is the mail system at host {host}.");
        Line("");
        if (delayed)
        {
            Line("####################################################################");
            Line("# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #");
            Line("####################################################################");
            Line("");
            Line("Your message could not be delivered for more than 3 hour(s).");
            Line("It will be retried until it is 5 day(s) old.");
        }
        else
        {
            Line("I'm sorry to have to inform you that your message could not");
            Line("be delivered to one or more recipients. It's attached below.");
            Line("");
            Line("For further assistance, please send mail to postmaster.");
            Line("");
            Line("If you do so, please include this problem report. You can");
            Line("delete your own text from the attached returned message.");
        }
        Line("");
        Line("                   The mail system");
        Line("");
        Line($"<{recipient}>: host {remote}[192.0.2.25] said: {reply} (in reply to RCPT TO");
        Line("    command)");
        Line("");
        Line($"--{boundary}");
        Line("Content-Description: Delivery report");
        Line("Content-Type: message/delivery-status");
        Line("");
        Line($"Reporting-MTA: dns; {host}");
        Line($"X-Postfix-Queue-ID: {queueId}");
        Line($"X-Postfix-Sender: rfc822; {envelopeFrom}");
        Line($"Arrival-Date: {date}");
        Line("");
        Line($"Final-Recipient: rfc822; {recipient}");
        Line($"Original-Recipient: rfc822;{recipient}");
        Line(delayed ? "Action: delayed" : "Action: failed");
        Line($"Status: {status}");
        Line($"Remote-MTA: dns; {remote}");
        Line($"Diagnostic-Code: smtp; {reply}");
        if (delayed) Line($"Will-Retry-Until: {when.AddDays(5).ToString("ddd, d MMM yyyy HH:mm:ss +0000", CultureInfo.InvariantCulture)} (UTC)");
        Line("");
        Line($"--{boundary}");
        Line(delayed ? "Content-Description: Undelivered Message Headers" : "Content-Description: Undelivered Message");
        Line(delayed ? "Content-Type: text/rfc822-headers" : "Content-Type: message/rfc822");
        Line("Content-Transfer-Encoding: 8bit");
        Line("");
        Line($"Return-Path: <{envelopeFrom}>");
        Line($"Received: from news.example.com (news.example.com [192.0.2.10])");
        Line($"\tby {host} (Postfix) with ESMTPS id {queueId}");
        Line($"\tfor <{recipient}>; {date}");
        if (delayed)
        {
            var headerEnd = returned.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            sb.Append(headerEnd >= 0 ? returned[..(headerEnd + 2)] : returned);
        }
        else
        {
            sb.Append(returned);
            if (!returned.EndsWith("\r\n", StringComparison.Ordinal)) sb.Append("\r\n");
        }
        Line("");
        Line($"--{boundary}--");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }
}
