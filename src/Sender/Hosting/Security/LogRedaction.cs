using System.Text.RegularExpressions;

namespace Newsletter.Sender.Hosting;

/// <summary>
/// Keeps addresses out of logs: every <c>local@domain</c> in a message (an SMTP reply quoting the recipient, a user
/// name) becomes <c>***@domain</c>, enough to tell which provider answered without naming the person.
/// </summary>
public static partial class LogRedaction
{
    public static string? Redact(string? text) => string.IsNullOrEmpty(text) ? text : Address().Replace(text, "***@$1");

    // A local part (dot-atom or quoted) followed by @ and a domain or an address literal.
    [GeneratedRegex("""(?:"[^"\r\n]*"|[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+)@(\[[^\]\s]*\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)""", RegexOptions.CultureInvariant)]
    private static partial Regex Address();
}
