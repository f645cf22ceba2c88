namespace Newsletter.Subscribers.Tests.Inbound;

/// <summary>Each shape of report the bounce mailbox gets, read by MimeKit and <see cref="BounceReportParser"/>.</summary>
public sealed class BounceReportParserTests
{
    private const string ReturnPath = "bounces+e1-2-abcdefghijklmnop@news.example.com";
    private const string MessageId = "edition-1.subscriber-2@news.example.com";

    private static InboundReport Read(byte[] bytes) => BounceReportParser.Parse(InboundSamples.Parse(bytes));

    [Fact]
    public void A_postfix_dsn_for_an_unknown_user_is_a_hard_bounce_with_its_status_and_the_original_message_id()
    {
        var report = Read(InboundSamples.Dsn(ReturnPath, "gone@example.net", MessageId));

        Assert.Equal(InboundReportKind.Bounce, report.Kind);
        var r = Assert.Single(report.Recipients);
        Assert.Equal("gone@example.net", r.Address);
        Assert.Equal(BounceReportKind.Hard, r.Kind);
        Assert.Contains("5.1.1", r.Detail);
        Assert.Contains("User unknown", r.Detail);
        Assert.Equal(MessageId, report.OriginalMessageId);
        Assert.Contains(ReturnPath, report.ReturnPaths);
        Assert.EndsWith("@mx.example.net", report.ReportId);
    }

    [Fact]
    public void A_delayed_dsn_is_a_soft_bounce()
    {
        var report = Read(InboundSamples.Dsn(ReturnPath, "full@example.net", MessageId, delayed: true));

        Assert.Equal(InboundReportKind.Bounce, report.Kind);
        Assert.Equal(BounceReportKind.Soft, Assert.Single(report.Recipients).Kind);
        Assert.Equal(MessageId, report.OriginalMessageId);
    }

    [Theory]
    [InlineData("gmail-address-not-found", "the address couldn't be found")]
    [InlineData("outlook-undeliverable", "550 5.5.0")]
    [InlineData("yahoo-failure-notice", "554: delivery error")]
    public void Provider_bounces_without_a_dsn_part_are_hard_bounces_recognised_by_their_text(string sample, string diagnostic)
    {
        var report = Read(InboundSamples.Fill(sample, ReturnPath, "reader@example.org", MessageId));

        Assert.Equal(InboundReportKind.Bounce, report.Kind);
        var r = Assert.Single(report.Recipients);
        Assert.Equal("reader@example.org", r.Address);
        Assert.Equal(BounceReportKind.Hard, r.Kind);
        Assert.Contains(diagnostic, r.Detail);
        Assert.Equal(MessageId, report.OriginalMessageId);
        Assert.Contains(ReturnPath, report.ReturnPaths);
    }

    [Fact]
    public void An_arf_abuse_report_is_a_complaint_about_the_original_recipient()
    {
        var report = Read(InboundSamples.Fill("arf-complaint", ReturnPath, "angry@example.org", MessageId));

        Assert.Equal(InboundReportKind.Complaint, report.Kind);
        var r = Assert.Single(report.Recipients);
        Assert.Equal("angry@example.org", r.Address);
        Assert.Contains("abuse", r.Detail);
        Assert.Equal(MessageId, report.OriginalMessageId);
    }

    [Fact]
    public void A_vacation_reply_is_an_auto_reply_even_when_its_text_looks_like_a_status()
    {
        var report = Read(InboundSamples.Fill("vacation-auto-reply", ReturnPath, "away@example.org", MessageId));

        Assert.Equal(InboundReportKind.AutoReply, report.Kind);
        Assert.Empty(report.Recipients);
    }

    [Fact]
    public void An_ordinary_reply_is_unrecognised()
    {
        var report = Read("From: reader@example.org\r\nTo: bounces@news.example.com\r\nSubject: Re: This week\r\nMessage-ID: <r1@example.org>\r\n\r\nThanks, 550 stars!\r\n"u8.ToArray());

        Assert.Equal(InboundReportKind.Unrecognised, report.Kind);
    }
}
