using System.Collections;

namespace Newsletter.Mail.Mime;

/// <summary>
/// Extra header fields of a message (List-Unsubscribe, List-Id, Feedback-ID, X-...). Values cannot contain
/// CR or LF, so no field can smuggle another one in (header injection). Fields the message writes itself
/// (From, To, Subject, Date, Message-ID, MIME-Version, Content-*) are refused.
/// </summary>
public sealed class HeaderList : IReadOnlyList<KeyValuePair<string, string>>
{
    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "From", "To", "Cc", "Bcc", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type", "Content-Transfer-Encoding", "DKIM-Signature",
    };

    private readonly List<KeyValuePair<string, string>> _items = [];

    /// <summary>Number of fields.</summary>
    public int Count => _items.Count;

    /// <summary>The field at <paramref name="index"/>.</summary>
    public KeyValuePair<string, string> this[int index] => _items[index];

    /// <summary>Adds a field.</summary>
    /// <exception cref="ArgumentException">The name is not a valid field name (RFC 5322 §2.2: printable ASCII except ':'),
    /// is one the message writes itself, or the value contains CR, LF or another control character.</exception>
    public void Add(string name, string value)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        ValidateName(name);
        if (Reserved.Contains(name) || name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"The header '{name}' is written from the message's own properties; it cannot be added as an extra header.", nameof(name));
        }
        ValidateValue(name, value);
        _items.Add(new(name, value));
    }

    /// <summary>The value of the first field called <paramref name="name"/>, or null.</summary>
    public string? Get(string name)
    {
        foreach (var kv in _items)
        {
            if (string.Equals(kv.Key, name, StringComparison.OrdinalIgnoreCase)) return kv.Value;
        }
        return null;
    }

    /// <summary>Removes every field called <paramref name="name"/>; returns how many were removed.</summary>
    public int Remove(string name) => _items.RemoveAll(kv => string.Equals(kv.Key, name, StringComparison.OrdinalIgnoreCase));

    internal static void ValidateName(string name)
    {
        if (name.Length == 0) throw new ArgumentException("A header name cannot be empty.", nameof(name));
        foreach (var c in name)
        {
            if (c < 33 || c > 126 || c == ':')
            {
                throw new ArgumentException($"The header name '{name.Replace("\r", "\\r").Replace("\n", "\\n")}' contains an invalid character (RFC 5322 §2.2 allows printable ASCII except ':').", nameof(name));
            }
        }
    }

    internal static void ValidateValue(string name, string value)
    {
        foreach (var c in value)
        {
            if (c is '\r' or '\n') throw new ArgumentException($"The value of header '{name}' contains CR or LF (header injection refused).", nameof(value));
            if ((c < 0x20 && c != '\t') || c == 0x7F) throw new ArgumentException($"The value of header '{name}' contains the control character U+{(int)c:X4}.", nameof(value));
        }
    }

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
