using System.Globalization;
using System.Text;

namespace Newsletter.Templates;

/// <summary>
/// Makes rendered email HTML 7-bit clean so the MIME part needs no transfer encoding: every non-ASCII character
/// becomes a numeric character reference, and a line break goes before block and table tags once a line is long
/// (where HTML ignores white space), keeping lines well under the 998-octet limit of RFC 5322. Quoted-printable
/// would otherwise triple every '=' of every attribute and add a soft break each 76 characters (about 10% of the
/// edition), and one line of HTML could not be read in a raw message.
/// </summary>
public static class EmailHtml
{
    /// <summary>A line is broken before the next block or table tag once it is this long.</summary>
    public const int SoftLineLength = 200;

    private static readonly string[] BlockTags =
        ["table", "/table", "tr", "/tr", "td", "th", "thead", "tbody", "caption", "p", "h1", "h2", "h3", "h4", "div", "/div", "center"];

    public static string SevenBit(string html)
    {
        ArgumentNullException.ThrowIfNull(html);
        var output = new StringBuilder(html.Length + html.Length / 20);
        var line = 0;
        var inRawText = false; // inside <style> or <script>, where character references are not decoded
        for (var i = 0; i < html.Length; i++)
        {
            var c = html[i];
            if (c == '<')
            {
                if (StartsTag(html, i, "style") || StartsTag(html, i, "script")) inRawText = true;
                else if (StartsTag(html, i, "/style") || StartsTag(html, i, "/script")) inRawText = false;
                else if (!inRawText && line >= SoftLineLength && IsBlockTag(html, i))
                {
                    output.Append('\n');
                    line = 0;
                }
            }
            if (c == '\n')
            {
                output.Append(c);
                line = 0;
            }
            else if (c < 0x80 || inRawText)
            {
                output.Append(c);
                line++;
            }
            else
            {
                var codePoint = char.IsHighSurrogate(c) && i + 1 < html.Length && char.IsLowSurrogate(html[i + 1])
                    ? char.ConvertToUtf32(c, html[++i])
                    : c;
                var reference = "&#" + codePoint.ToString(CultureInfo.InvariantCulture) + ";";
                output.Append(reference);
                line += reference.Length;
            }
        }
        return output.ToString();
    }

    private static bool IsBlockTag(string html, int at)
    {
        foreach (var tag in BlockTags)
            if (StartsTag(html, at, tag)) return true;
        return false;
    }

    /// <summary>True when <paramref name="html"/> has the tag <paramref name="name"/> (opening, or closing when it starts with '/') at <paramref name="at"/>.</summary>
    private static bool StartsTag(string html, int at, string name)
    {
        var end = at + 1 + name.Length;
        return end < html.Length
            && string.CompareOrdinal(html, at + 1, name, 0, name.Length) == 0
            && html[end] is ' ' or '>' or '\n' or '\t' or '/';
    }
}
