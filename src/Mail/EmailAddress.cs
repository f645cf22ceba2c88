using System.Globalization;
using System.Net;
using System.Text;

namespace Newsletter.Mail;

/// <summary>
/// A validated addr-spec (RFC 5322 §3.4.1, RFC 5321 §4.1.2, limits of RFC 5321 §4.5.3.1, UTF-8 local parts of RFC 6531).
/// Only the bare <c>local@domain</c> form is accepted: display names, angle brackets, lists and comments are rejected.
/// </summary>
public sealed class EmailAddress : IEquatable<EmailAddress>
{
    private const int MaxLocalOctets = 64;    // RFC 5321 §4.5.3.1.1
    private const int MaxDomainOctets = 255;  // RFC 5321 §4.5.3.1.2
    private const int MaxPathOctets = 254;    // RFC 5321 §4.5.3.1.3 (256 minus the angle brackets)
    private static readonly IdnMapping Idn = new() { AllowUnassigned = false, UseStd3AsciiRules = true };
    private readonly string _text;

    private EmailAddress(string localPart, string domain)
    {
        LocalPart = localPart;
        Domain = domain;
        _text = localPart + "@" + domain;
        foreach (var c in localPart)
        {
            if (c > 0x7F) { RequiresSmtpUtf8 = true; break; }
        }
    }

    /// <summary>The local part as given (a quoted local part keeps its quotes).</summary>
    public string LocalPart { get; }

    /// <summary>The domain, lower-cased ASCII (IDNA A-labels), or an address literal such as <c>[192.0.2.1]</c>.</summary>
    public string Domain { get; }

    /// <summary>True when the local part holds non-ASCII characters, so the server must support SMTPUTF8 (RFC 6531).</summary>
    public bool RequiresSmtpUtf8 { get; }

    /// <summary>Parses an addr-spec.</summary>
    /// <exception cref="AddressFormatException">The text is not a valid address; the message names what is wrong.</exception>
    public static EmailAddress Parse(string text)
    {
        if (!TryParse(text, out var address, out var error))
        {
            throw new AddressFormatException(text, error!);
        }
        return address!;
    }

    /// <summary>Parses an addr-spec without throwing. <paramref name="error"/> names what is wrong when false is returned.</summary>
    public static bool TryParse(string? text, out EmailAddress? address, out string? error)
    {
        address = null;
        error = Validate(text, out var local, out var domain);
        if (error is not null)
        {
            return false;
        }
        address = new EmailAddress(local!, domain!);
        return true;
    }

    private static string? Validate(string? text, out string? local, out string? domain)
    {
        local = null;
        domain = null;
        if (text is null) return "the address is null";
        if (text.Length == 0) return "the address is empty";
        foreach (var c in text)
        {
            if (c is '\r' or '\n') return "it contains a line break (CR or LF)";
            if (c < 0x20 || c == 0x7F) return $"it contains the control character U+{(int)c:X4}";
        }
        if (text.Length != text.Trim().Length) return "it has leading or trailing white space";

        int at;
        if (text[0] == '"')
        {
            // RFC 5321 §4.1.2 Quoted-string: qtextSMTP / quoted-pairSMTP.
            var i = 1;
            var closed = false;
            for (; i < text.Length; i++)
            {
                var c = text[i];
                if (c == '\\')
                {
                    if (i + 1 >= text.Length) return "the quoted local part ends with a lone backslash";
                    i++;
                }
                else if (c == '"')
                {
                    closed = true;
                    break;
                }
            }
            if (!closed) return "the quoted local part has no closing quote";
            if (i + 1 >= text.Length || text[i + 1] != '@') return "the quoted local part must be followed directly by '@'";
            at = i + 1;
            if (i == 1) return "the quoted local part is empty";
        }
        else
        {
            if (text.Contains('<') || text.Contains('>')) return "it contains angle brackets; give only the bare address (no display name or <...>)";
            if (text.Contains(',') || text.Contains(';')) return "it contains a comma or semicolon; give exactly one address";
            at = text.LastIndexOf('@');
            if (at < 0) return "it has no '@'";
            if (text.IndexOf('@') != at) return "it contains more than one '@'";
            if (at == 0) return "the local part is empty";
            var error = ValidateDotAtom(text.AsSpan(0, at));
            if (error is not null) return error;
        }

        local = text[..at];
        var rawDomain = text[(at + 1)..];
        if (rawDomain.Length == 0) return "the domain is empty";
        if (rawDomain.Contains('<') || rawDomain.Contains('>')) return "it contains angle brackets; give only the bare address (no display name or <...>)";
        if (rawDomain.Contains(',') || rawDomain.Contains(';')) return "it contains a comma or semicolon; give exactly one address";
        if (rawDomain.Contains('@')) return "it contains more than one '@'";

        var localOctets = System.Text.Encoding.UTF8.GetByteCount(local);
        if (localOctets > MaxLocalOctets) return $"the local part is {localOctets} octets long (at most {MaxLocalOctets})";

        var domainError = NormalizeDomain(rawDomain, out domain);
        if (domainError is not null) return domainError;
        if (domain!.Length > MaxDomainOctets) return $"the domain is {domain.Length} octets long (at most {MaxDomainOctets})";
        var total = localOctets + 1 + domain.Length;
        if (total > MaxPathOctets) return $"the address is {total} octets long (at most {MaxPathOctets})";
        return null;
    }

    private static string? ValidateDotAtom(ReadOnlySpan<char> local)
    {
        // RFC 5322 §3.2.3 dot-atom-text, extended by RFC 6531 §3.3 to UTF-8 characters.
        if (local[0] == '.') return "the local part starts with a dot";
        if (local[^1] == '.') return "the local part ends with a dot";
        for (var i = 0; i < local.Length; i++)
        {
            var c = local[i];
            if (c == '.')
            {
                if (local[i + 1] == '.') return "the local part contains two consecutive dots";
                continue;
            }
            if (c > 0x7F)
            {
                if (char.IsWhiteSpace(c)) return "the local part contains white space";
                if (char.IsHighSurrogate(c))
                {
                    if (i + 1 >= local.Length || !char.IsLowSurrogate(local[i + 1])) return "the local part contains an invalid UTF-16 surrogate";
                    i++;
                }
                else if (char.IsLowSurrogate(c)) return "the local part contains an invalid UTF-16 surrogate";
                continue;
            }
            if (!IsAtext(c))
            {
                return c switch
                {
                    ' ' or '\t' => "the local part contains white space (quote it)",
                    '"' => "the local part contains a misplaced quote",
                    '(' or ')' => "the local part contains parentheses (comments are not accepted)",
                    '[' or ']' => "the local part contains square brackets",
                    _ => $"the local part contains the character '{c}', which must be quoted",
                };
            }
        }
        return null;
    }

    internal static bool IsAtext(char c) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9')
          or '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '/' or '=' or '?' or '^' or '_' or '`' or '{' or '|' or '}' or '~';

    private static string? NormalizeDomain(string raw, out string? domain)
    {
        domain = null;
        if (raw[0] == '[')
        {
            // RFC 5321 §4.1.3 address literal.
            if (raw[^1] != ']') return "the domain literal has no closing ']'";
            var inner = raw[1..^1];
            if (inner.StartsWith("IPv6:", StringComparison.OrdinalIgnoreCase))
            {
                if (!IPAddress.TryParse(inner[5..], out var v6) || v6.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
                    return "the domain literal is not a valid IPv6 address";
                domain = "[IPv6:" + v6 + "]";
                return null;
            }
            if (!IPAddress.TryParse(inner, out var v4) || v4.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork || inner.Split('.').Length != 4)
                return "the domain literal is not a valid IPv4 address";
            domain = "[" + v4 + "]";
            return null;
        }
        foreach (var c in raw)
        {
            if (c is ' ' or '\t') return "the domain contains white space";
            if (c is '[' or ']' or '"' or '(' or ')' or '\\' or ':') return $"the domain contains the character '{c}'";
        }
        if (raw[0] == '.') return "the domain starts with a dot";
        if (raw[^1] == '.') return "the domain ends with a dot";
        if (raw.Contains("..", StringComparison.Ordinal)) return "the domain contains two consecutive dots";
        foreach (var rawLabel in raw.Split('.'))
        {
            if (rawLabel.Length > 63 && !rawLabel.AsSpan().ContainsAnyExceptInRange((char)0, (char)0x7F)) return $"the domain label '{rawLabel}' is longer than 63 octets";
            if (rawLabel.StartsWith('-') || rawLabel.EndsWith('-')) return $"the domain label '{rawLabel}' starts or ends with a hyphen";
        }
        string ascii;
        try
        {
            ascii = Idn.GetAscii(raw);
        }
        catch (ArgumentException)
        {
            return "the domain is not a valid (internationalized) host name";
        }
        ascii = ascii.ToLowerInvariant();
        foreach (var label in ascii.Split('.'))
        {
            if (label.Length == 0) return "the domain contains an empty label";
            if (label.Length > 63) return $"the domain label '{label}' is longer than 63 octets";
            if (label[0] == '-' || label[^1] == '-') return $"the domain label '{label}' starts or ends with a hyphen";
            foreach (var c in label)
            {
                if (!(c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-')) return $"the domain label '{label}' contains the character '{c}'";
            }
        }
        domain = ascii;
        return null;
    }

    /// <summary>The addr-spec <c>local@domain</c>.</summary>
    public override string ToString() => _text;

    /// <summary>Local parts compare case-sensitively (RFC 5321 §2.4), domains are already lower-cased.</summary>
    public bool Equals(EmailAddress? other) => other is not null && string.Equals(_text, other._text, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as EmailAddress);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(_text);

    /// <summary>Equality by value.</summary>
    public static bool operator ==(EmailAddress? left, EmailAddress? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Inequality by value.</summary>
    public static bool operator !=(EmailAddress? left, EmailAddress? right) => !(left == right);
}
