using System.Text.RegularExpressions;

namespace Newsletter.Comparisons;

/// <summary>
/// "Decision", the two tool names as column heads, then rows: a label line and one value line per tool.
/// Rows with labels this reader does not know are skipped whole (label + two values).
/// </summary>
internal static partial class DecisionTableReader
{
    public static DecisionTable Read(List<PageLine> lines, int start, int end, string nameA, string nameB)
    {
        var table = new DecisionTable();
        var i = start + 1;
        if (i < end && lines[i].Text == nameA) i++;
        if (i < end && lines[i].Text == nameB) i++;
        while (i < end)
        {
            var label = lines[i];
            if (i + 2 >= end)
                throw new ComparisonFormatException($"expected one value per tool (two lines) after the Decision row '{label.Text}'", label.Number);
            var values = new[] { lines[i + 1], lines[i + 2] };
            for (var c = 0; c < 2; c++)
            {
                var v = values[c];
                var none = PageValues.IsNone(v.Text);
                switch (label.Text.ToLowerInvariant())
                {
                    case "panel verdict":
                        table.Panel[c] = none ? default : ParsePanelVerdict(v);
                        break;
                    case "community":
                        table.Community[c] = PageValues.ParseCommunity(v, c == 0 ? nameA : nameB);
                        break;
                    case "pricing":
                        if (!none) table.Pricing[c] = v.Text;
                        break;
                    case "best for":
                        if (!none) table.BestFor[c] = v.Text;
                        break;
                    case "category":
                        if (!none) table.Categories[c] = v.Text;
                        break;
                    case "entry":
                    case "entry price":
                        if (!none) table.Entry[c] = v.Text;
                        break;
                    default:
                        break;
                }
            }
            i += 3;
        }
        return table;
    }

    /// <summary>"Ship · 4 ship / 0 skip", "Skip · 2 ship / 2 skip", "Ship", "3 ship / 1 skip".</summary>
    private static (Verdict? Verdict, int? Ship, int? Skip) ParsePanelVerdict(PageLine value)
    {
        var m = PanelVerdictPattern().Match(value.Text);
        if (!m.Success || (!m.Groups["verdict"].Success && !m.Groups["ship"].Success))
            throw new ComparisonFormatException($"expected a panel verdict like 'Ship · 3 ship / 1 skip', found '{value.Text}'", value.Number);
        Verdict? verdict = m.Groups["verdict"].Success ? PageValues.AsVerdictWord(m.Groups["verdict"].Value) : null;
        int? ship = m.Groups["ship"].Success ? PageValues.ParseInt(m.Groups["ship"].Value, value) : null;
        int? skip = m.Groups["skip"].Success ? PageValues.ParseInt(m.Groups["skip"].Value, value) : null;
        return (verdict, ship, skip);
    }

    [GeneratedRegex(@"^(?<verdict>ship|skip)?\s*[·•|:\-–—]?\s*(?:(?<ship>\d+)\s*ship\s*/\s*(?<skip>\d+)\s*skip)?$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex PanelVerdictPattern();
}
