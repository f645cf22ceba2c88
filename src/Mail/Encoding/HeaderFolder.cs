using System.Text;

namespace Newsletter.Mail.Encoding;

/// <summary>
/// Builds one header field, folding at white space so lines stay within 78 characters where possible
/// (RFC 5322 §2.1.1, §2.2.3) and writing non-ASCII text as RFC 2047 "B" encoded-words in UTF-8.
/// </summary>
internal sealed class HeaderFolder
{
    public const int SoftLimit = 78;
    private readonly StringBuilder _sb = new(128);
    private int _lineStart;
    private bool _lineHasAtom;

    public HeaderFolder(string name)
    {
        _sb.Append(name).Append(':');
        _lineStart = 0;
    }

    private int LineLength => _sb.Length - _lineStart;

    /// <summary>Appends text that must not be broken; when <paramref name="spaceBefore"/>, a fold may replace the space.</summary>
    public void Atom(string atom, bool spaceBefore = true)
    {
        if (spaceBefore)
        {
            if (_lineHasAtom && atom.Length > 0 && LineLength + 1 + atom.Length > SoftLimit)
            {
                _sb.Append("\r\n");
                _lineStart = _sb.Length;
            }
            _sb.Append(' ');
        }
        _sb.Append(atom);
        if (atom.Length > 0) _lineHasAtom = true;
    }

    /// <summary>Appends text as a sequence of encoded-words (RFC 2047 §2, §5), each sized to the space left on its line.</summary>
    public void Encoded(string text, bool spaceBefore = true)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        var i = 0;
        var first = true;
        while (i < bytes.Length || first)
        {
            var sep = first ? (spaceBefore ? 1 : 0) : 1;
            var available = SoftLimit - LineLength - sep;
            if (available < 20 && _lineHasAtom && (first ? spaceBefore : true))
            {
                available = SoftLimit - 1;
            }
            // "=?utf-8?B?" + base64 + "?=" ; 12 characters of overhead, at most 75 in all (RFC 2047 §2).
            var maxOctets = Math.Max(3, Math.Min(75, available) - 12) / 4 * 3;
            var take = 0;
            while (i + take < bytes.Length)
            {
                var len = Utf8SequenceLength(bytes[i + take]);
                if (take + len > maxOctets && take > 0) break;
                take += len;
            }
            var word = "=?utf-8?B?" + Convert.ToBase64String(bytes, i, Math.Min(take, bytes.Length - i)) + "?=";
            Atom(word, first ? spaceBefore : true);
            i += take;
            first = false;
        }
    }

    /// <summary>Appends unstructured text (RFC 5322 §3.2.5): plain words stay readable, runs of non-ASCII words are encoded.</summary>
    public void Unstructured(string value)
    {
        var words = value.Split(' ');
        var k = 0;
        while (k < words.Length)
        {
            if (!NeedsEncoding(words[k]))
            {
                Atom(words[k], true);
                k++;
                continue;
            }
            var start = k;
            while (k < words.Length && (NeedsEncoding(words[k]) || (words[k].Length == 0 && k + 1 < words.Length && NeedsEncoding(words[k + 1]))))
            {
                k++;
            }
            Encoded(string.Join(' ', words, start, k - start), true);
        }
    }

    /// <summary>Appends a display name as a phrase (RFC 5322 §3.2.5): atoms, a quoted string, or encoded-words.</summary>
    public void Phrase(string phrase)
    {
        var allAtext = phrase.Length > 0 && !phrase.StartsWith(' ') && !phrase.EndsWith(' ') && !phrase.Contains("  ", StringComparison.Ordinal);
        var ascii = true;
        foreach (var c in phrase)
        {
            if (c > 0x7E || c < 0x20) { ascii = false; allAtext = false; break; }
            if (c != ' ' && !EmailAddress.IsAtext(c)) allAtext = false;
        }
        if (allAtext)
        {
            foreach (var w in phrase.Split(' ')) Atom(w);
        }
        else if (ascii && phrase.Length <= 60 && !phrase.Contains("=?", StringComparison.Ordinal))
        {
            Atom("\"" + phrase.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"");
        }
        else
        {
            Encoded(phrase);
        }
    }

    public static bool NeedsEncoding(string word)
    {
        if (word.Length > 76) return true;
        if (word.StartsWith("=?", StringComparison.Ordinal) && word.EndsWith("?=", StringComparison.Ordinal)) return true;
        foreach (var c in word)
        {
            if (c > 0x7E || (c < 0x20 && c != '\t')) return true;
        }
        return false;
    }

    private static int Utf8SequenceLength(byte lead) => lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;

    /// <summary>The header with its terminating CRLF.</summary>
    public override string ToString() => _sb.ToString() + "\r\n";
}
