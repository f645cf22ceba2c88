namespace Newsletter.Comparisons;

/// <summary>
/// A tool card: the tool's name, its "best for" line, the panel verdict and the value/label stats
/// ("75%" / "Panel ship", "128 votes" / "Community", "Free" / "Entry"), then its description.
/// </summary>
internal static class ToolCardReader
{
    private const string PanelShipLabel = "Panel ship";
    private const string CommunityLabel = "Community";
    private const string EntryLabel = "Entry";

    /// <summary>
    /// Removes the avatar letter and the tool's category from the end of <paramref name="lines"/> (the lines
    /// right before a tool name). The category is the last remaining line when the Decision table names it,
    /// or, without a table, when it reads like a label (short, no sentence punctuation).
    /// </summary>
    public static string? TakeCategory(List<PageLine> lines, string toolName, string? tableCategory)
    {
        if (lines.Count > 0 && IsAvatar(lines[^1].Text, toolName)) lines.RemoveAt(lines.Count - 1);
        if (lines.Count == 0) return tableCategory;
        var last = lines[^1].Text;
        var isCategory = tableCategory is not null
            ? string.Equals(last, tableCategory, StringComparison.OrdinalIgnoreCase)
            : LooksLikeLabel(last);
        if (!isCategory) return tableCategory;
        lines.RemoveAt(lines.Count - 1);
        if (lines.Count > 0 && IsAvatar(lines[^1].Text, toolName)) lines.RemoveAt(lines.Count - 1);
        return last;
    }

    /// <summary>Reads name, tagline and the value/label stats of a card; returns the lines after them.</summary>
    public static (Tool Tool, List<PageLine> Remainder) Read(List<PageLine> card)
    {
        var tool = new Tool { Name = card[0].Text };
        var i = 1;
        if (i < card.Count && !IsStatLabel(card[i].Text) && PageValues.AsVerdictWord(card[i].Text) is null
            && !(i + 1 < card.Count && IsStatLabel(card[i + 1].Text)))
        {
            tool = tool with { Tagline = card[i].Text };
            i++;
        }
        while (i < card.Count)
        {
            var line = card[i];
            if (IsStatLabel(line.Text))
            {
                i++; // a label without a value: the site shows nothing there (e.g. no community votes yet)
            }
            else if (i + 1 < card.Count && IsStatLabel(card[i + 1].Text))
            {
                tool = ApplyStat(tool, card[i + 1].Text, line);
                i += 2;
            }
            else if (PageValues.AsVerdictWord(line.Text) is { } verdict && tool.PanelVerdict is null)
            {
                tool = tool with { PanelVerdict = verdict };
                i++;
            }
            else
            {
                break;
            }
        }
        return (tool, card.Skip(i).ToList());
    }

    private static bool IsAvatar(string text, string toolName) =>
        text.Length <= 2 && text.All(char.IsLetterOrDigit) && toolName.StartsWith(text, StringComparison.OrdinalIgnoreCase);

    private static bool LooksLikeLabel(string text) =>
        text.Length <= 60 && text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length <= 5
        && !".!?:;,\"”'’".Contains(text[^1], StringComparison.Ordinal);

    private static bool IsStatLabel(string text) =>
        text.Equals(PanelShipLabel, StringComparison.OrdinalIgnoreCase)
        || text.Equals(CommunityLabel, StringComparison.OrdinalIgnoreCase)
        || text.Equals(EntryLabel, StringComparison.OrdinalIgnoreCase);

    private static Tool ApplyStat(Tool tool, string label, PageLine value)
    {
        if (label.Equals(PanelShipLabel, StringComparison.OrdinalIgnoreCase))
        {
            if (PageValues.AsVerdictWord(value.Text) is { } verdict) return tool with { PanelVerdict = verdict };
            if (PageValues.IsNone(value.Text)) return tool;
            var m = PageValues.Percent().Match(value.Text);
            if (!m.Success) throw new ComparisonFormatException($"expected the panel ship percentage of '{tool.Name}' like '75%', found '{value.Text}'", value.Number);
            return tool with { PanelShipPercent = PageValues.ParseInt(m.Groups[1].Value, value) };
        }
        if (label.Equals(CommunityLabel, StringComparison.OrdinalIgnoreCase))
        {
            var (votes, percent) = PageValues.ParseCommunity(value, tool.Name);
            return tool with { CommunityVotes = votes, CommunityShipPercent = percent };
        }
        return PageValues.IsNone(value.Text) ? tool : tool with { EntryPrice = value.Text };
    }
}
