namespace Newsletter.Mail.Smtp;

/// <summary>The server refused a command: 4xx (transient) or 5xx (permanent). The connection stays usable unless the code was 421.</summary>
public sealed class SmtpCommandException : MailException
{
    /// <summary>Creates the exception from the server's reply to <paramref name="command"/> (for RCPT/MAIL, <paramref name="mailbox"/> is the address).</summary>
    public SmtpCommandException(SmtpReply reply, string command, string? mailbox)
    {
        ArgumentNullException.ThrowIfNull(reply);
        Reply = reply;
        Command = command;
        Verb = VerbOf(command);
        Mailbox = mailbox;
    }

    /// <summary>The whole reply.</summary>
    public SmtpReply Reply { get; }

    /// <summary>The reply code.</summary>
    public int StatusCode => Reply.Code;

    /// <summary>The RFC 3463 enhanced status code, when given.</summary>
    public string? EnhancedStatusCode => Reply.EnhancedStatusCode;

    /// <summary>The command verb refused: "MAIL", "RCPT", "DATA", "." (end of data), "AUTH", "EHLO", "STARTTLS", "CONNECT" (greeting)...</summary>
    public string Command { get; }

    /// <summary>The command refused, as a type: what a caller decides on (a refused RCPT is about one recipient).</summary>
    public SmtpCommand Verb { get; }

    /// <summary>The address of a refused MAIL FROM or RCPT TO.</summary>
    public string? Mailbox { get; }

    /// <summary>The server's text.</summary>
    public string ServerText => Reply.Text;

    /// <summary>True for 4xx.</summary>
    public override bool IsTransient => Reply.IsTransientNegative;

    /// <inheritdoc />
    public override string Message => $"The server refused {Command}{(Mailbox is null ? "" : " <" + Mailbox + ">")}: {Reply} ({(IsTransient ? "transient" : "permanent")})";

    private static SmtpCommand VerbOf(string? command)
    {
        var word = command?.Split(' ', 2)[0] ?? "";
        return word.ToUpperInvariant() switch
        {
            "CONNECT" => SmtpCommand.Connect,
            "EHLO" => SmtpCommand.Ehlo,
            "HELO" => SmtpCommand.Helo,
            "STARTTLS" => SmtpCommand.StartTls,
            "AUTH" => SmtpCommand.Auth,
            "MAIL" => SmtpCommand.Mail,
            "RCPT" => SmtpCommand.Rcpt,
            "DATA" => SmtpCommand.Data,
            "." => SmtpCommand.EndOfData,
            "RSET" => SmtpCommand.Rset,
            "NOOP" => SmtpCommand.Noop,
            "QUIT" => SmtpCommand.Quit,
            _ => SmtpCommand.Other,
        };
    }
}
