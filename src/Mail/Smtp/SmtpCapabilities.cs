using System.Globalization;

namespace Newsletter.Mail.Smtp;

/// <summary>What the server announced in reply to EHLO.</summary>
public sealed class SmtpCapabilities
{
    /// <summary>Capabilities of a server that only answered HELO.</summary>
    public static readonly SmtpCapabilities None = new(SmtpExtensions.None, null, [], "");

    internal SmtpCapabilities(SmtpExtensions extensions, long? maxSize, IReadOnlyCollection<string> authMechanisms, string serverName)
    {
        Extensions = extensions;
        MaxSize = maxSize;
        AuthMechanisms = authMechanisms;
        ServerName = serverName;
    }

    /// <summary>The announced extensions.</summary>
    public SmtpExtensions Extensions { get; }

    /// <summary>SIZE limit in octets; null when not announced or 0 (no fixed limit, RFC 1870 §4).</summary>
    public long? MaxSize { get; }

    /// <summary>SASL mechanisms after AUTH, upper-case.</summary>
    public IReadOnlyCollection<string> AuthMechanisms { get; }

    /// <summary>The domain the server gave on the first EHLO line.</summary>
    public string ServerName { get; }

    /// <summary>True when <paramref name="extension"/> was announced.</summary>
    public bool Supports(SmtpExtensions extension) => (Extensions & extension) == extension;

    internal static SmtpCapabilities Parse(SmtpReply ehlo)
    {
        var ext = SmtpExtensions.None;
        long? size = null;
        var auth = new List<string>();
        var first = ehlo.Lines.Count > 0 ? ehlo.Lines[0] : "";
        var sp = first.IndexOf(' ');
        var name = sp < 0 ? first : first[..sp];
        for (var i = 1; i < ehlo.Lines.Count; i++)
        {
            var parts = ehlo.Lines[i].Split([' ', '='], StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0) continue;
            switch (parts[0].ToUpperInvariant())
            {
                case "PIPELINING": ext |= SmtpExtensions.Pipelining; break;
                case "SIZE":
                    ext |= SmtpExtensions.Size;
                    if (parts.Length > 1 && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0) size = n;
                    break;
                case "8BITMIME": ext |= SmtpExtensions.EightBitMime; break;
                case "SMTPUTF8": ext |= SmtpExtensions.SmtpUtf8; break;
                case "ENHANCEDSTATUSCODES": ext |= SmtpExtensions.EnhancedStatusCodes; break;
                case "STARTTLS": ext |= SmtpExtensions.StartTls; break;
                case "CHUNKING": ext |= SmtpExtensions.Chunking; break;
                case "DSN": ext |= SmtpExtensions.Dsn; break;
                case "AUTH":
                    ext |= SmtpExtensions.Auth;
                    for (var k = 1; k < parts.Length; k++)
                    {
                        var m = parts[k].ToUpperInvariant();
                        if (!auth.Contains(m)) auth.Add(m);
                    }
                    break;
            }
        }
        return new SmtpCapabilities(ext, size, auth, name);
    }
}
