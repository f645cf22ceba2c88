using System.Text;

namespace Newsletter.Templates.Text;

/// <summary>
/// Builds readable plain text: paragraphs word-wrapped at <see cref="Width"/> columns (URLs and other long
/// tokens are never broken), CRLF-free (<c>\n</c>; the MIME layer normalises line ends).
/// </summary>
public sealed class TextBuilder
{
    public const int Width = 72;
    private readonly StringBuilder sb = new();

    /// <summary>A wrapped paragraph; <paramref name="indent"/> prefixes every line, <paramref name="firstIndent"/> (if given) the first.</summary>
    public TextBuilder Paragraph(string? text, string indent = "", string? firstIndent = null)
    {
        var words = TextTools.NormalizeSpace(text).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0)
        {
            return this;
        }

        var prefix = firstIndent ?? indent;
        var line = new StringBuilder(prefix);
        var lineHasWord = false;
        foreach (var w in words)
        {
            if (lineHasWord && line.Length + 1 + w.Length > Width)
            {
                sb.Append(line.ToString().TrimEnd()).Append('\n');
                line.Clear().Append(indent);
                lineHasWord = false;
            }

            if (lineHasWord)
            {
                line.Append(' ');
            }

            line.Append(w);
            lineHasWord = true;
        }

        sb.Append(line.ToString().TrimEnd()).Append('\n');
        return this;
    }

    /// <summary>A line written as is (no wrapping) — for URLs and rules.</summary>
    public TextBuilder Line(string text = "")
    {
        sb.Append(text.TrimEnd()).Append('\n');
        return this;
    }

    public TextBuilder Blank()
    {
        sb.Append('\n');
        return this;
    }

    /// <summary>A heading underlined with <paramref name="underline"/> characters (max width).</summary>
    public TextBuilder Heading(string text, char underline)
    {
        Paragraph(text);
        var len = Math.Min(Width, TextTools.NormalizeSpace(text).Length);
        return Line(new string(underline, len));
    }

    /// <summary>"Label: value" wrapped with a hanging indent aligned after the label.</summary>
    public TextBuilder Labelled(string label, string? value, int labelWidth)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return this;
        }

        var head = (label + ":").PadRight(labelWidth);
        return Paragraph(value, new string(' ', labelWidth), head);
    }

    public override string ToString()
    {
        // Collapse 3+ newlines into 2 and end with exactly one newline.
        var s = sb.ToString();
        while (s.Contains("\n\n\n", StringComparison.Ordinal))
        {
            s = s.Replace("\n\n\n", "\n\n", StringComparison.Ordinal);
        }

        return s.TrimEnd('\n') + "\n";
    }
}
