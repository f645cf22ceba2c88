namespace Newsletter.Comparisons;

/// <summary>Splitting page text into <see cref="PageLine"/>s and finding lines in it.</summary>
internal static class PageLines
{
    /// <summary>The non-blank lines, trimmed (also of a byte-order mark or zero-width space), whatever the line endings.</summary>
    public static List<PageLine> Read(string text)
    {
        var list = new List<PageLine>();
        var number = 0;
        foreach (var raw in text.ReplaceLineEndings("\n").Split('\n'))
        {
            number++;
            var t = raw.Trim().Trim('\uFEFF', '\u200B').Trim();
            if (t.Length > 0) list.Add(new PageLine(number, t));
        }
        return list;
    }

    public static int IndexOf(List<PageLine> lines, string text, int from, int to, StringComparison comparison = StringComparison.Ordinal)
    {
        for (var k = from; k < to; k++) if (string.Equals(lines[k].Text, text, comparison)) return k;
        return -1;
    }

    public static string? JoinOrNull(List<PageLine> lines) => lines.Count == 0 ? null : string.Join("\n", lines.Select(l => l.Text));
}
