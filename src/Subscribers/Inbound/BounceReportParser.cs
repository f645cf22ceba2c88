using System.Security.Cryptography;
using System.Text.RegularExpressions;
using MimeKit;

namespace Newsletter.Subscribers;

/// <summary>
/// Reads a message from the bounce mailbox with MimeKit: a delivery status notification (RFC 3464
/// <c>multipart/report; report-type=delivery-status</c>), an ARF feedback report (RFC 5965), the non-standard bounces some
/// providers send as plain text (recognised by their daemon sender or subject and an SMTP status in the text), or an
/// auto-reply. Attribution to a subscriber is <see cref="InboundReportProcessor"/>'s.
/// </summary>
public static partial class BounceReportParser
{
    private const int MaxDetail = 500;

    /// <summary>Reads <paramref name="message"/>; never throws for odd content (it is then <see cref="InboundReportKind.Unrecognised"/>).</summary>
    public static InboundReport Parse(MimeMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var reportId = message.MessageId is { Length: > 0 } id ? id : ContentHash(message);
        var original = OriginalHeaders(message);
        var returnPaths = ReturnPaths(message, original);
        var originalId = original?.MessageId;

        var report = message.BodyParts.OfType<MessageDeliveryStatus>().FirstOrDefault();
        if (report is not null) return DeliveryStatus(reportId, report, originalId, returnPaths);
        var feedback = message.BodyParts.OfType<MessageFeedbackReport>().FirstOrDefault();
        if (feedback is not null) return Feedback(reportId, feedback, original, originalId, returnPaths);
        // Providers mark their own bounces auto-replied too (RFC 3834): the bounce text decides first.
        var plain = PlainBounce(reportId, message, originalId, returnPaths);
        if (plain.Kind == InboundReportKind.Bounce || !IsAutoReply(message)) return plain;
        return new InboundReport(reportId, InboundReportKind.AutoReply, [], originalId, returnPaths, "auto-reply: " + Clip(message.Subject ?? ""));
    }

    private static InboundReport DeliveryStatus(string reportId, MessageDeliveryStatus report, string? originalId, IReadOnlyList<string> returnPaths)
    {
        var recipients = new List<InboundRecipient>();
        // The first group is about the message (Reporting-MTA, Arrival-Date); each further one is a recipient (RFC 3464 §2.1).
        foreach (var group in report.StatusGroups.Skip(1))
        {
            var action = (group["Action"] ?? "").Trim().ToLowerInvariant();
            var status = (group["Status"] ?? "").Trim();
            var address = AddressOf(group["Final-Recipient"]) ?? AddressOf(group["Original-Recipient"]);
            if (address is null) continue;
            var diagnostic = (group["Diagnostic-Code"] ?? "").Trim();
            var detail = Clip($"DSN: Action: {action}; Status: {status}" + (diagnostic.Length > 0 ? "; Diagnostic-Code: " + Unfold(diagnostic) : ""));
            if (action == "failed")
                recipients.Add(new InboundRecipient(address, status.StartsWith('4') ? BounceReportKind.Soft : BounceReportKind.Hard, detail));
            else if (action == "delayed")
                recipients.Add(new InboundRecipient(address, BounceReportKind.Soft, detail));
            // delivered, relayed, expanded: a success notice, nothing to count.
        }
        if (recipients.Count == 0)
            return new InboundReport(reportId, InboundReportKind.Unrecognised, [], originalId, returnPaths, "delivery status without a failed or delayed recipient");
        return new InboundReport(reportId, InboundReportKind.Bounce, recipients, originalId, returnPaths,
            "DSN: " + string.Join(", ", recipients.Select(r => r.Kind.ToString().ToLowerInvariant())));
    }

    private static InboundReport Feedback(string reportId, MessageFeedbackReport feedback, MimeMessage? original, string? originalId, IReadOnlyList<string> returnPaths)
    {
        var type = (feedback.Fields["Feedback-Type"] ?? "").Trim().ToLowerInvariant();
        // not-spam undoes nothing here; auth-failure reports forged mail claiming our domain, not a reader's complaint.
        if (type is "not-spam" or "auth-failure" or "")
            return new InboundReport(reportId, InboundReportKind.Unrecognised, [], originalId, returnPaths, $"feedback report of type '{type}'");
        var addresses = feedback.Fields.Where(h => h.Field.Equals("Original-Rcpt-To", StringComparison.OrdinalIgnoreCase))
            .Select(h => AddressOf(h.Value)).OfType<string>().ToList();
        if (addresses.Count == 0 && original is not null)
            addresses.AddRange(original.To.Mailboxes.Select(m => m.Address));
        var detail = Clip($"ARF: Feedback-Type: {type}" + (feedback.Fields["User-Agent"] is { } ua ? "; User-Agent: " + ua.Trim() : ""));
        // Feedback loops often redact the address: an empty one still carries the kind for a VERP token to apply.
        if (addresses.Count == 0) addresses.Add("");
        return new InboundReport(reportId, InboundReportKind.Complaint,
            addresses.Distinct(StringComparer.OrdinalIgnoreCase).Select(a => new InboundRecipient(a, BounceReportKind.Complaint, detail)).ToList(),
            originalId, returnPaths, "ARF: " + type);
    }

    private static InboundReport PlainBounce(string reportId, MimeMessage message, string? originalId, IReadOnlyList<string> returnPaths)
    {
        var from = message.From.Mailboxes.FirstOrDefault()?.Address ?? "";
        var subject = message.Subject ?? "";
        var fromDaemon = DaemonSender().IsMatch(from) || message.From.Count == 0;
        if (!fromDaemon && !BounceSubject().IsMatch(subject))
            return new InboundReport(reportId, InboundReportKind.Unrecognised, [], originalId, returnPaths, "not a report: " + Clip(subject));

        var text = message.TextBody ?? StripTags(message.HtmlBody ?? "");
        // Only the notice itself: the copy of the original mail below it names other addresses and may quote anything.
        var cut = OriginalMarker().Match(text);
        var notice = cut.Success ? text[..cut.Index] : text;
        originalId ??= InlineMessageId().Match(cut.Success ? text[cut.Index..] : text) is { Success: true } m ? m.Groups[1].Value : null;

        var kind = (BounceReportKind?)null;
        string? diagnostic = null;
        foreach (var line in notice.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0))
        {
            var status = SmtpStatus().Match(line);
            if (status.Success)
            {
                var soft = status.Groups["class"].Value == "4";
                if (kind is null || (kind == BounceReportKind.Soft && !soft)) { kind = soft ? BounceReportKind.Soft : BounceReportKind.Hard; diagnostic = line; }
            }
        }
        if (kind is null && HardPhrase().Match(notice) is { Success: true } hard) { kind = BounceReportKind.Hard; diagnostic = hard.Value; }
        if (kind is null && SoftPhrase().Match(notice) is { Success: true } soft2) { kind = BounceReportKind.Soft; diagnostic = soft2.Value; }
        if (kind is null)
            return new InboundReport(reportId, InboundReportKind.Unrecognised, [], originalId, returnPaths, "bounce-like text without a status: " + Clip(subject));

        var ours = new HashSet<string>(returnPaths, StringComparer.OrdinalIgnoreCase) { from };
        var addresses = AddressInText().Matches(notice).Select(a => a.Value.Trim('.'))
            .Where(a => !ours.Contains(a) && !DaemonSender().IsMatch(a)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (addresses.Count == 0) addresses.Add("");
        var detail = Clip("bounce text (" + Clip(subject) + "): " + diagnostic);
        return new InboundReport(reportId, InboundReportKind.Bounce,
            addresses.Select(a => new InboundRecipient(a, kind.Value, detail)).ToList(), originalId, returnPaths,
            "provider bounce text: " + kind.Value.ToString().ToLowerInvariant());
    }

    /// <summary>RFC 3834 <c>Auto-Submitted: auto-replied</c>, the de-facto vacation headers, and the usual subjects.</summary>
    private static bool IsAutoReply(MimeMessage message)
    {
        var auto = message.Headers["Auto-Submitted"]?.Trim().ToLowerInvariant();
        if (auto is not null && auto.StartsWith("auto-replied", StringComparison.Ordinal)) return true;
        if (message.Headers.Contains("X-Autoreply") || message.Headers.Contains("X-Autorespond")) return true;
        if (string.Equals(message.Headers["Precedence"]?.Trim(), "auto_reply", StringComparison.OrdinalIgnoreCase)) return true;
        return AutoReplySubject().IsMatch(message.Subject ?? "");
    }

    /// <summary>The headers of the mail the report is about: a returned message/rfc822 or text/rfc822-headers part.</summary>
    private static MimeMessage? OriginalHeaders(MimeMessage message)
        => message.BodyParts.OfType<MessagePart>().Select(p => p.Message).FirstOrDefault(m => m is not null)
           ?? message.Attachments.OfType<MessagePart>().Select(p => p.Message).FirstOrDefault(m => m is not null);

    private static List<string> ReturnPaths(MimeMessage message, MimeMessage? original)
    {
        var found = new List<string>();
        foreach (var name in (string[])["Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To", "To"])
            foreach (var header in message.Headers.Where(h => h.Field.Equals(name, StringComparison.OrdinalIgnoreCase)))
                found.AddRange(AddressesIn(header.Value));
        if (original?.Headers["Return-Path"] is { } returnPath) found.AddRange(AddressesIn(returnPath));
        return found.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
    }

    private static IEnumerable<string> AddressesIn(string value)
        => InternetAddressList.TryParse(value, out var list) ? list.Mailboxes.Select(m => m.Address) : AddressInText().Matches(value).Select(m => m.Value);

    /// <summary>"rfc822; user@example.com" (RFC 3464 §2.3.2) → the address.</summary>
    private static string? AddressOf(string? field)
    {
        if (string.IsNullOrWhiteSpace(field)) return null;
        var semi = field.IndexOf(';', StringComparison.Ordinal);
        var address = (semi >= 0 ? field[(semi + 1)..] : field).Trim().Trim('<', '>').Trim();
        return address.Contains('@', StringComparison.Ordinal) ? address : null;
    }

    private static string ContentHash(MimeMessage message)
    {
        using var stream = new MemoryStream();
        message.WriteTo(stream);
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(stream.ToArray()));
    }

    private static string Unfold(string text) => Whitespace().Replace(text, " ");

    private static string StripTags(string html) => Whitespace().Replace(Tags().Replace(html, "\n"), " ").Replace(" \n", "\n", StringComparison.Ordinal);

    private static string Clip(string text) => text.Length <= MaxDetail ? text : text[..MaxDetail];

    [GeneratedRegex(@"^(mailer-daemon|postmaster|mail-daemon|mailerdaemon)@", RegexOptions.IgnoreCase)]
    private static partial Regex DaemonSender();

    [GeneratedRegex(@"undeliver|delivery status notification \((failure|delay)\)|failure notice|mail delivery (failed|failure|subsystem)|returned mail|delivery (has )?failed|message not delivered|delivery failure|could not be delivered", RegexOptions.IgnoreCase)]
    private static partial Regex BounceSubject();

    [GeneratedRegex(@"^\s*(out of (the )?office|automatic reply|auto(matic)?[- ]?(reply|response)|auto:|vacation|abwesenheit)", RegexOptions.IgnoreCase)]
    private static partial Regex AutoReplySubject();

    // An enhanced status code (RFC 3463) or a reply code at the start of a reply: "550 5.1.1", "554:", "452-4.2.2".
    [GeneratedRegex(@"(?<![\d.])(?<class>[45])\.\d{1,3}\.\d{1,3}(?![\d.])|(?<![\w.])(?<class>[45])[0-5]\d(?=[ :\-])")]
    private static partial Regex SmtpStatus();

    [GeneratedRegex(@"[^\n]*(address couldn't be found|does not exist|doesn't exist|user unknown|no such user|recipient not found|RecipientNotFound|doesn't have a [\w.]+ account|mailbox unavailable|account has been disabled)[^\n]*", RegexOptions.IgnoreCase)]
    private static partial Regex HardPhrase();

    [GeneratedRegex(@"[^\n]*(mailbox (is )?full|over quota|quota exceeded|temporarily (deferred|unavailable|rejected)|try again later)[^\n]*", RegexOptions.IgnoreCase)]
    private static partial Regex SoftPhrase();

    [GeneratedRegex(@"^(-{2,}\s*(Below this line is a copy|Original message|Forwarded message)|-+ ?Original [Mm]essage ?-+|Original message headers:|-{3,} The header of the original message)", RegexOptions.Multiline | RegexOptions.IgnoreCase)]
    private static partial Regex OriginalMarker();

    [GeneratedRegex(@"^Message-ID:\s*<([^>\s]+)>", RegexOptions.Multiline | RegexOptions.IgnoreCase)]
    private static partial Regex InlineMessageId();

    [GeneratedRegex(@"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+")]
    private static partial Regex AddressInText();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"<[^>]*>")]
    private static partial Regex Tags();
}
