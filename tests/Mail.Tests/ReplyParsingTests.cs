using Newsletter.Mail.Smtp;

namespace Newsletter.Mail.Tests;

public class ReplyParsingTests
{
    /// <summary>A duplex stream: reads return the scripted server transcript one byte at a time; writes are recorded.</summary>
    private sealed class OneByteStream(byte[] transcript) : Stream
    {
        private int _pos;

        public MemoryStream Written { get; } = new();

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush() { }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_pos >= transcript.Length || count == 0) return 0;
            buffer[offset] = transcript[_pos++];
            return 1;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_pos >= transcript.Length || buffer.Length == 0) return ValueTask.FromResult(0);
            buffer.Span[0] = transcript[_pos++];
            return ValueTask.FromResult(1);
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Written.Write(buffer, offset, count);
    }

    private static SmtpClientOptions Options => new() { Host = "scripted.example", Security = SmtpSecurity.None };

    [Fact]
    public async Task Replies_split_across_reads_one_byte_at_a_time_are_parsed()
    {
        var transcript = string.Join("", [
            "220-scripted.example ESMTP\r\n220 second greeting line\r\n",
            "250-scripted.example hello\r\n250-PIPELINING\r\n250-SIZE 1000000\r\n250-8BITMIME\r\n250-ENHANCEDSTATUSCODES\r\n250-AUTH=LOGIN\r\n250-AUTH PLAIN LOGIN\r\n250 SMTPUTF8\r\n",
            "250 2.1.0 Sender ok\r\n", "250 2.1.5 Ok\r\n", "550 5.1.1 <b@example.com> unknown\r\n", "354 go ahead\r\n",
            "250-2.0.0 queued\r\n250 2.0.0 as ABC123\r\n", "221 2.0.0 bye\r\n"]);
        var stream = new OneByteStream(System.Text.Encoding.ASCII.GetBytes(transcript));
        await using var client = new SmtpClient(Options, stream);
        await client.ConnectAsync(CancellationToken.None);
        Assert.True(client.Capabilities.Supports(SmtpExtensions.Pipelining | SmtpExtensions.Size | SmtpExtensions.SmtpUtf8 | SmtpExtensions.EightBitMime));
        Assert.Equal(1_000_000, client.Capabilities.MaxSize);
        Assert.Equal(["LOGIN", "PLAIN"], client.Capabilities.AuthMechanisms);
        var result = await client.SendAsync(new SmtpEnvelope("a@x.example", ["a@example.com", "b@example.com"]), "Subject: t\r\n\r\nbody\r\n"u8.ToArray(), CancellationToken.None);
        Assert.Equal(["a@example.com"], result.AcceptedRecipients);
        Assert.Equal("b@example.com", Assert.Single(result.RejectedRecipients).Recipient);
        Assert.Equal("5.1.1", result.RejectedRecipients[0].Reply.EnhancedStatusCode);
        Assert.Equal(["2.0.0 queued", "2.0.0 as ABC123"], result.Reply.Lines);
        await client.QuitAsync(CancellationToken.None);
        var sent = System.Text.Encoding.ASCII.GetString(stream.Written.ToArray());
        Assert.Equal("EHLO localhost\r\nMAIL FROM:<a@x.example> SIZE=20\r\nRCPT TO:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\nSubject: t\r\n\r\nbody\r\n.\r\nQUIT\r\n", sent);
    }

    [Theory]
    [InlineData("250-first\r\n251 second\r\n", "has code 251")]
    [InlineData("25 short\r\n", "three-digit")]
    [InlineData("2x0 bad\r\n", "three-digit")]
    [InlineData("250x text\r\n", "followed by ' ' or '-'")]
    [InlineData("650 out of range\r\n", "three-digit")]
    public async Task Malformed_replies_raise_a_protocol_exception(string reply, string message)
    {
        var stream = new OneByteStream(System.Text.Encoding.ASCII.GetBytes("220 hi\r\n" + reply));
        await using var client = new SmtpClient(Options, stream);
        var e = await Assert.ThrowsAsync<SmtpProtocolException>(() => client.ConnectAsync(CancellationToken.None));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.False(client.IsConnected);
    }

    [Fact]
    public void Parser_reports_incomplete_input_until_the_last_line_arrives()
    {
        var bytes = "250-a\r\n250-b\r\n250 c\r\n"u8.ToArray();
        for (var i = 0; i < bytes.Length; i++)
        {
            Assert.False(SmtpReplyParser.TryParse(bytes.AsSpan(0, i), out _, out _));
        }
        Assert.True(SmtpReplyParser.TryParse(bytes, out var reply, out var consumed));
        Assert.Equal(bytes.Length, consumed);
        Assert.Equal(["a", "b", "c"], reply!.Lines);
        Assert.True(SmtpReplyParser.TryParse("354\r\n"u8, out var bare, out _));
        Assert.Equal(354, bare!.Code);
    }

    [Fact]
    public async Task Connection_closed_mid_reply_is_a_transient_connection_error()
    {
        var stream = new OneByteStream("220 hi\r\n250-partial"u8.ToArray());
        await using var client = new SmtpClient(Options, stream);
        var e = await Assert.ThrowsAsync<SmtpConnectionException>(() => client.ConnectAsync(CancellationToken.None));
        Assert.True(e.IsTransient);
        Assert.Contains("EHLO", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Greeting_554_is_a_permanent_refusal_and_ehlo_5xx_falls_back_to_helo()
    {
        await using (var refused = new SmtpClient(Options, new OneByteStream("554 5.7.1 go away\r\n"u8.ToArray())))
        {
            var e = await Assert.ThrowsAsync<SmtpCommandException>(() => refused.ConnectAsync(CancellationToken.None));
            Assert.False(e.IsTransient);
            Assert.Equal("CONNECT", e.Command);
            Assert.Equal("5.7.1", e.EnhancedStatusCode);
        }
        var stream = new OneByteStream("220 old\r\n502 what\r\n250 old.example\r\n"u8.ToArray());
        await using var helo = new SmtpClient(Options, stream);
        await helo.ConnectAsync(CancellationToken.None);
        Assert.Equal(SmtpExtensions.None, helo.Capabilities.Extensions);
        Assert.Equal("EHLO localhost\r\nHELO localhost\r\n", System.Text.Encoding.ASCII.GetString(stream.Written.ToArray()));
    }

    [Fact]
    public async Task Deferred_reply_is_classified_transient()
    {
        var transcript = "220 hi\r\n250-x\r\n250 PIPELINING\r\n451 4.3.0 try later\r\n554 5.5.1 no valid recipients\r\n554 no\r\n250 reset\r\n"u8.ToArray();
        await using var client = new SmtpClient(Options, new OneByteStream(transcript));
        await client.ConnectAsync(CancellationToken.None);
        var e = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(new SmtpEnvelope("a@x.example", "b@y.example"), "x\r\n"u8.ToArray(), CancellationToken.None));
        Assert.True(e.IsTransient);
        Assert.Equal("MAIL", e.Command);
        Assert.Equal(451, e.StatusCode);
        Assert.Equal("4.3.0", e.EnhancedStatusCode);
        Assert.Equal("try later", e.ServerText[6..]);
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task Message_over_the_SIZE_limit_is_refused_before_sending()
    {
        var stream = new OneByteStream("220 hi\r\n250-x\r\n250 SIZE 10\r\n"u8.ToArray());
        await using var client = new SmtpClient(Options, stream);
        await client.ConnectAsync(CancellationToken.None);
        var e = await Assert.ThrowsAsync<SmtpNotSupportedException>(() => client.SendAsync(new SmtpEnvelope("a@x.example", "b@y.example"), new byte[11], CancellationToken.None));
        Assert.Contains("at most 10", e.Message, StringComparison.Ordinal);
        Assert.False(e.IsTransient);
        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task Auth_login_is_used_when_plain_is_not_offered_and_secrets_are_not_logged()
    {
        var stream = new OneByteStream("220 hi\r\n250-x\r\n250 AUTH LOGIN\r\n334 VXNlcm5hbWU6\r\n334 UGFzc3dvcmQ6\r\n235 ok\r\n"u8.ToArray());
        var log = new List<string>();
        await using var client = new SmtpClient(new SmtpClientOptions { Host = "h.example", Security = SmtpSecurity.None, Username = "u", Password = "pw-secret", AllowAuthWithoutTls = true }, stream, log.Add);
        await client.ConnectAsync(CancellationToken.None);
        Assert.Equal("EHLO localhost\r\nAUTH LOGIN\r\ndQ==\r\ncHctc2VjcmV0\r\n", System.Text.Encoding.ASCII.GetString(stream.Written.ToArray()));
        Assert.DoesNotContain(log, l => l.Contains("cHctc2VjcmV0", StringComparison.Ordinal) || l.Contains("pw-secret", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reply_421_closes_the_connection()
    {
        var transcript = "220 hi\r\n250-x\r\n250 PIPELINING\r\n421 4.4.2 shutting down\r\n"u8.ToArray();
        await using var client = new SmtpClient(Options, new OneByteStream(transcript));
        await client.ConnectAsync(CancellationToken.None);
        var e = await Assert.ThrowsAsync<SmtpCommandException>(() => client.SendAsync(new SmtpEnvelope("a@x.example", "b@y.example"), "x\r\n"u8.ToArray(), CancellationToken.None));
        Assert.True(e.IsTransient);
        Assert.False(client.IsConnected);
    }

    [Theory]
    [InlineData("RCPT", SmtpCommand.Rcpt)]
    [InlineData("RCPT TO", SmtpCommand.Rcpt)]
    [InlineData("MAIL", SmtpCommand.Mail)]
    [InlineData(".", SmtpCommand.EndOfData)]
    [InlineData("CONNECT", SmtpCommand.Connect)]
    [InlineData("XCLIENT", SmtpCommand.Other)]
    public void A_refusal_names_its_command_as_a_type(string command, SmtpCommand verb)
        => Assert.Equal(verb, new SmtpCommandException(new SmtpReply(550, ["5.1.1 no"]), command, null).Verb);
}
