using System.Text;
using Newsletter.Mail.Encoding;

namespace Newsletter.Mail.Mime;

internal enum HeaderKind
{
    /// <summary>Printable ASCII, folded at spaces, never encoded (Date, Message-ID, List-Unsubscribe, ...).</summary>
    Structured,

    /// <summary>Free text (RFC 5322 §3.2.5), non-ASCII words become RFC 2047 encoded-words.</summary>
    Unstructured,

    /// <summary>A mailbox-list (RFC 5322 §3.4).</summary>
    Mailboxes,
}

/// <summary>One header field before formatting.</summary>
internal sealed record HeaderSpec(string Name, HeaderKind Kind, string? Value, IReadOnlyList<Mailbox>? Mailboxes = null)
{
    public string Format()
    {
        var folder = new HeaderFolder(Name);
        switch (Kind)
        {
            case HeaderKind.Structured:
                var words = Value!.Split(' ');
                for (var i = 0; i < words.Length; i++) folder.Atom(words[i], true);
                break;
            case HeaderKind.Unstructured:
                HeaderList.ValidateValue(Name, Value!);
                folder.Unstructured(Value!);
                break;
            default:
                for (var i = 0; i < Mailboxes!.Count; i++)
                {
                    var m = Mailboxes[i];
                    if (!string.IsNullOrEmpty(m.DisplayName))
                    {
                        HeaderList.ValidateValue(Name + " display name", m.DisplayName);
                        folder.Phrase(m.DisplayName);
                        folder.Atom("<" + m.Address + ">" + (i + 1 < Mailboxes.Count ? "," : ""));
                    }
                    else
                    {
                        folder.Atom(m.Address + (i + 1 < Mailboxes.Count ? "," : ""));
                    }
                }
                break;
        }
        return folder.ToString();
    }

    public byte[] FormatBytes() => System.Text.Encoding.UTF8.GetBytes(Format());

    public bool Contains(string marker)
    {
        if (Value is not null && Value.Contains(marker, StringComparison.Ordinal)) return true;
        if (Mailboxes is not null)
        {
            foreach (var m in Mailboxes)
            {
                if (m.DisplayName is not null && m.DisplayName.Contains(marker, StringComparison.Ordinal)) return true;
            }
        }
        return false;
    }

    internal static void AppendTo(StringBuilder sb, HeaderSpec spec) => sb.Append(spec.Format());
}
