using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Newsletter.Templates.Model;

namespace Newsletter.Sender.Comparisons;

/// <summary>
/// Reads a comparison page as the site renders it to text (copy-paste or a text dump of the page) into a
/// <see cref="Comparison"/>. The site has shipped several layouts; this reader anchors on the title
/// ("A vs B") and on the two tool names instead of on fixed line positions:
/// <code>
/// [Compare/A vs B]                 breadcrumb, ignored
/// [AI tool comparison]             ignored
/// A vs B                           title (required)
/// [lead sentence]                  → summary
/// [C]                              avatar letter, ignored
/// [Developer Tools]                → tool category
/// A                                tool card (required, one per tool)
/// [best-for line]                  → tagline
/// [Ship|Skip]                      → panel verdict
/// [75%] Panel ship                 value/label pairs; a label without a value means "none"
/// [128 votes | 62% | — ] Community
/// [Free] Entry
/// [description paragraph(s)]
/// [Decision table]                 rows "Panel verdict", "Community", "Pricing", "Best for", "Category",
///                                  two values each; fills what the cards left empty (pricing detail, split)
/// [Reviewer scorecard]             see <see cref="ParseScorecard"/>
/// [site chrome]                    "Weekly AI Tool Verdicts" and everything after it, bookmark panel lines,
///                                  the trailing page-title line: ignored
/// </code>
/// Blank lines, surrounding whitespace and Windows/Mac line endings are insignificant. Nothing is invented:
/// a value the page does not show stays null (e.g. layout 002 has no Ship label and no split, so the panel
/// verdict and split stay null although its ship percentage is 100%). Markup in the text is kept verbatim.
/// </summary>
public static partial class ComparisonPageParser
{
    /// <summary>Personas the site uses today, in its order. Other names are accepted when a score line follows them.</summary>
    public static IReadOnlyList<string> StandardPersonas { get; } = ["Builder", "Skeptic", "Futurist", "Founder"];

    private static readonly HashSet<string> ChromeLines = new(StringComparer.OrdinalIgnoreCase)
    {
        "Weekly AI Tool Verdicts",
        "Get the next comparison in your inbox",
        "New AI tools ship daily. We compare them before you waste an afternoon.",
        "Bookmarks",
        "Loading bookmarks...",
        "Loading bookmarks…",
        "No bookmarks yet",
        "Bookmark tools to save them for later",
    };

    private const string SiteName = "Weekly AI Tool Verdicts";
    private const string PanelShipLabel = "Panel ship";
    private const string CommunityLabel = "Community";
    private const string EntryLabel = "Entry";

    private readonly record struct Line(int Number, string Text);

    /// <summary>Parses page text; see the type's remarks for the layouts read and <see cref="PageDefaults"/> for derived values.</summary>
    /// <exception cref="ComparisonFormatException">the text lacks a title or a tool card, or a value is unreadable; names the line.</exception>
    public static Comparison Parse(string text, PageDefaults defaults)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(defaults);
        var lines = ReadLines(text);
        if (lines.Count == 0) throw new ComparisonFormatException("the page is empty; expected a title like 'Tool A vs Tool B'", 1);

        // Header: breadcrumb and kicker, then the title.
        var i = 0;
        string? breadcrumbTitle = null;
        while (i < lines.Count)
        {
            var t = lines[i].Text;
            if (t.StartsWith("Compare/", StringComparison.OrdinalIgnoreCase)) { breadcrumbTitle = t["Compare/".Length..].Trim(); i++; }
            else if (t.Equals("AI tool comparison", StringComparison.OrdinalIgnoreCase)) i++;
            else break;
        }
        int titleIndex;
        string title;
        if (i < lines.Count && VsSplits(lines[i].Text).Any())
        {
            titleIndex = i;
            title = lines[i].Text;
        }
        else if (breadcrumbTitle is not null && VsSplits(breadcrumbTitle).Any())
        {
            titleIndex = i - 1;
            title = breadcrumbTitle;
        }
        else
        {
            throw new ComparisonFormatException("expected the title 'Tool A vs Tool B'", i < lines.Count ? lines[i].Number : lines[^1].Number);
        }

        // Trailing site chrome: "Weekly AI Tool Verdicts" after the title starts the footer; the page-title
        // line ("A vs B: Which AI Tool Should You Ship? — Ship or Skip") may follow or stand alone at the end.
        var end = lines.Count;
        for (var k = titleIndex + 1; k < lines.Count; k++)
        {
            if (lines[k].Text.Equals(SiteName, StringComparison.OrdinalIgnoreCase)) { end = k; break; }
        }
        lines = [.. lines.Take(end).Where((l, k) => k <= titleIndex || !(IsChrome(l.Text) || l.Text.StartsWith(title + ":", StringComparison.Ordinal)))];

        // The two tool names: the " vs " split whose both halves appear as lines of their own (tool cards).
        string nameA = "", nameB = "";
        int indexA = -1, indexB = -1;
        foreach (var (a, b) in VsSplits(title))
        {
            var ia = IndexOf(lines, a, titleIndex + 1, lines.Count);
            if (ia < 0) continue;
            var ib = IndexOf(lines, b, ia + 1, lines.Count);
            if (ib < 0) continue;
            (nameA, nameB, indexA, indexB) = (a, b, ia, ib);
            break;
        }
        if (indexA < 0)
        {
            var (a, b) = VsSplits(title).First();
            var ia = IndexOf(lines, a, titleIndex + 1, lines.Count);
            throw ia < 0
                ? new ComparisonFormatException($"expected a tool card starting with the line '{a}' after the title", lines[titleIndex].Number)
                : new ComparisonFormatException($"expected a tool card starting with the line '{b}' after the card of '{a}'", lines[ia].Number);
        }

        // The Decision table repeats both names as column heads: a name found only there means a card is missing.
        var firstSection = new[]
        {
            IndexOf(lines, "Decision", titleIndex + 1, indexB, StringComparison.OrdinalIgnoreCase),
            IndexOf(lines, "Reviewer scorecard", titleIndex + 1, indexB, StringComparison.OrdinalIgnoreCase),
        }.Where(x => x >= 0).DefaultIfEmpty(-1).Min();
        if (firstSection >= 0)
        {
            var missing = firstSection < indexA ? nameA : nameB;
            throw new ComparisonFormatException($"expected the tool card of '{missing}' before the '{lines[firstSection].Text}' section", lines[firstSection].Number);
        }

        var decisionIndex = IndexOf(lines, "Decision", indexB + 1, lines.Count, StringComparison.OrdinalIgnoreCase);
        var scorecardIndex = IndexOf(lines, "Reviewer scorecard", indexB + 1, lines.Count, StringComparison.OrdinalIgnoreCase);
        if (decisionIndex > scorecardIndex && scorecardIndex >= 0) decisionIndex = -1; // a quote that says "Decision"
        var cardBEnd = new[] { decisionIndex, scorecardIndex, lines.Count }.Where(x => x >= 0).Min();

        var table = decisionIndex >= 0
            ? ParseDecisionTable(lines, decisionIndex, scorecardIndex >= 0 ? scorecardIndex : lines.Count, nameA, nameB)
            : new DecisionTable();

        // Lines between the title and card A: lead sentence, avatar letter, category of A.
        var before = lines.Skip(titleIndex + 1).Take(indexA - titleIndex - 1).ToList();
        var categoryA = TakeCategory(before, nameA, table.Categories[0]);
        var summary = before.Count > 0 ? string.Join("\n", before.Select(l => l.Text)) : null;

        // Card A runs up to card B; its tail is A's description, then B's avatar letter and category.
        var cardA = lines.Skip(indexA).Take(indexB - indexA).ToList();
        var (toolA, restA) = ParseCard(cardA);
        var categoryB = TakeCategory(restA, nameB, table.Categories[1]);
        toolA = toolA with { Category = categoryA, Description = JoinOrNull(restA) };

        var cardB = lines.Skip(indexB).Take(cardBEnd - indexB).ToList();
        var (toolB, restB) = ParseCard(cardB);
        toolB = toolB with { Category = categoryB, Description = JoinOrNull(restB) };

        var tools = new[] { table.Fill(toolA, 0), table.Fill(toolB, 1) };

        var reviewers = scorecardIndex >= 0
            ? ParseScorecard(lines.Skip(scorecardIndex + 1).ToList(), tools.Length, lines[scorecardIndex].Number)
            : [];

        var slug = string.IsNullOrWhiteSpace(defaults.Slug) ? ComparisonSlug.FromToolNames(nameA, nameB) : defaults.Slug.Trim();
        var url = !string.IsNullOrWhiteSpace(defaults.Url)
            ? defaults.Url.Trim()
            : string.IsNullOrWhiteSpace(defaults.ComparisonBaseUrl) ? null : DeriveUrl(defaults.ComparisonBaseUrl, slug);

        return new Comparison
        {
            Slug = slug,
            Title = title,
            Url = url,
            PublishedAt = defaults.PublishedAt ?? defaults.Now ?? DateTimeOffset.UtcNow,
            Category = SharedCategory(tools[0].Category, tools[1].Category),
            Summary = summary,
            Tools = tools,
            Reviewers = reviewers,
        };
    }

    /// <summary><c>{base}/compare/{slug}</c>, the site's comparison address.</summary>
    public static string DeriveUrl(string comparisonBaseUrl, string slug) => comparisonBaseUrl.TrimEnd('/') + "/compare/" + slug;

    // ---------------------------------------------------------------------------------------------------
    // Lines

    private static List<Line> ReadLines(string text)
    {
        var list = new List<Line>();
        var number = 0;
        foreach (var raw in text.ReplaceLineEndings("\n").Split('\n'))
        {
            number++;
            var t = raw.Trim().Trim('\uFEFF', '\u200B').Trim();
            if (t.Length > 0) list.Add(new Line(number, t));
        }
        return list;
    }

    private static bool IsChrome(string text) => ChromeLines.Contains(text);

    private static int IndexOf(List<Line> lines, string text, int from, int to, StringComparison comparison = StringComparison.Ordinal)
    {
        for (var k = from; k < to; k++) if (string.Equals(lines[k].Text, text, comparison)) return k;
        return -1;
    }

    private static IEnumerable<(string A, string B)> VsSplits(string title)
    {
        foreach (Match m in VsSeparator().Matches(title))
        {
            var a = title[..m.Index].Trim();
            var b = title[(m.Index + m.Length)..].Trim();
            if (a.Length > 0 && b.Length > 0) yield return (a, b);
        }
    }

    private static string? JoinOrNull(List<Line> lines) => lines.Count == 0 ? null : string.Join("\n", lines.Select(l => l.Text));

    /// <summary>The comparison's category is the tools' shared one; when they differ or one is unknown it stays null.</summary>
    private static string? SharedCategory(string? a, string? b) =>
        a is not null && string.Equals(a, b, StringComparison.OrdinalIgnoreCase) ? a : null;

    /// <summary>The site's "nothing here" renderings.</summary>
    private static bool IsNone(string value) => value is "—" or "–" or "-" or "n/a" or "N/A";

    // ---------------------------------------------------------------------------------------------------
    // Tool cards

    /// <summary>
    /// Removes the avatar letter and the tool's category from the end of <paramref name="lines"/> (the lines
    /// right before a tool name). The category is the last remaining line when the Decision table names it,
    /// or, without a table, when it reads like a label (short, no sentence punctuation).
    /// </summary>
    private static string? TakeCategory(List<Line> lines, string toolName, string? tableCategory)
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

    private static bool IsAvatar(string text, string toolName) =>
        text.Length <= 2 && text.All(char.IsLetterOrDigit) && toolName.StartsWith(text, StringComparison.OrdinalIgnoreCase);

    private static bool LooksLikeLabel(string text) =>
        text.Length <= 60 && text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length <= 5
        && !".!?:;,\"”'’".Contains(text[^1], StringComparison.Ordinal);

    private static bool LooksLikePersona(string text)
    {
        var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return text.Length <= 40 && words.Length <= 3 && words.All(w => char.IsUpper(w[0]) && w.All(c => char.IsLetterOrDigit(c) || c is '-' or '.' or '\''));
    }

    private static bool IsStatLabel(string text) =>
        text.Equals(PanelShipLabel, StringComparison.OrdinalIgnoreCase)
        || text.Equals(CommunityLabel, StringComparison.OrdinalIgnoreCase)
        || text.Equals(EntryLabel, StringComparison.OrdinalIgnoreCase);

    private static Verdict? AsVerdictWord(string text) =>
        text.Equals("ship", StringComparison.OrdinalIgnoreCase) ? Verdict.Ship
        : text.Equals("skip", StringComparison.OrdinalIgnoreCase) ? Verdict.Skip
        : null;

    /// <summary>Reads name, tagline and the value/label stats of a card; returns the lines after them.</summary>
    private static (Tool Tool, List<Line> Remainder) ParseCard(List<Line> card)
    {
        var tool = new Tool { Name = card[0].Text };
        var i = 1;
        if (i < card.Count && !IsStatLabel(card[i].Text) && AsVerdictWord(card[i].Text) is null
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
            else if (AsVerdictWord(line.Text) is { } verdict && tool.PanelVerdict is null)
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

    private static Tool ApplyStat(Tool tool, string label, Line value)
    {
        if (label.Equals(PanelShipLabel, StringComparison.OrdinalIgnoreCase))
        {
            if (AsVerdictWord(value.Text) is { } verdict) return tool with { PanelVerdict = verdict };
            if (IsNone(value.Text)) return tool;
            var m = Percent().Match(value.Text);
            if (!m.Success) throw new ComparisonFormatException($"expected the panel ship percentage of '{tool.Name}' like '75%', found '{value.Text}'", value.Number);
            return tool with { PanelShipPercent = ParseInt(m.Groups[1].Value, value) };
        }
        if (label.Equals(CommunityLabel, StringComparison.OrdinalIgnoreCase))
        {
            var (votes, percent) = ParseCommunity(value, tool.Name);
            return tool with { CommunityVotes = votes, CommunityShipPercent = percent };
        }
        return IsNone(value.Text) ? tool : tool with { EntryPrice = value.Text };
    }

    /// <summary>"No community votes yet" / "—" → none; "128 votes", "62%", "62% ship · 128 votes" → what is shown.</summary>
    private static (int? Votes, int? Percent) ParseCommunity(Line value, string toolName)
    {
        if (IsNone(value.Text) || value.Text.StartsWith("No ", StringComparison.OrdinalIgnoreCase)) return (null, null);
        var votes = Votes().Match(value.Text);
        var percent = Percent().Match(value.Text);
        if (!votes.Success && !percent.Success)
            throw new ComparisonFormatException($"expected community votes of '{toolName}' like '128 votes' or '62%', found '{value.Text}'", value.Number);
        int? count = null;
        if (votes.Success)
        {
            var digits = votes.Groups["n"].Value.Replace(",", "", StringComparison.Ordinal);
            if (votes.Groups["k"].Success)
            {
                var k = decimal.Parse(digits, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
                count = (int)Math.Round(k * 1000m);
            }
            else
            {
                count = ParseInt(digits, value);
            }
        }
        return (count, percent.Success ? ParseInt(percent.Groups[1].Value, value) : null);
    }

    private static int ParseInt(string digits, Line line) =>
        int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new ComparisonFormatException($"the number '{digits}' is out of range", line.Number);

    // ---------------------------------------------------------------------------------------------------
    // Decision table

    private sealed class DecisionTable
    {
        public string?[] Categories { get; } = new string?[2];
        public string?[] Pricing { get; } = new string?[2];
        public string?[] BestFor { get; } = new string?[2];
        public string?[] Entry { get; } = new string?[2];
        public (Verdict? Verdict, int? Ship, int? Skip)[] Panel { get; } = new (Verdict?, int?, int?)[2];
        public (int? Votes, int? Percent)[] Community { get; } = new (int?, int?)[2];

        /// <summary>The card's own values win; the table fills what the card left empty.</summary>
        public Tool Fill(Tool tool, int column) => tool with
        {
            Category = tool.Category ?? Categories[column],
            Tagline = tool.Tagline ?? BestFor[column],
            PricingDetail = tool.PricingDetail ?? Pricing[column],
            EntryPrice = tool.EntryPrice ?? Entry[column],
            PanelVerdict = tool.PanelVerdict ?? Panel[column].Verdict,
            PanelShipVotes = tool.PanelShipVotes ?? Panel[column].Ship,
            PanelSkipVotes = tool.PanelSkipVotes ?? Panel[column].Skip,
            CommunityVotes = tool.CommunityVotes ?? Community[column].Votes,
            CommunityShipPercent = tool.CommunityShipPercent ?? Community[column].Percent,
        };
    }

    /// <summary>
    /// "Decision", the two tool names as column heads, then rows: a label line and one value line per tool.
    /// Rows with labels this reader does not know are skipped whole (label + two values).
    /// </summary>
    private static DecisionTable ParseDecisionTable(List<Line> lines, int start, int end, string nameA, string nameB)
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
                var none = IsNone(v.Text);
                switch (label.Text.ToLowerInvariant())
                {
                    case "panel verdict":
                        table.Panel[c] = none ? default : ParsePanelVerdict(v);
                        break;
                    case "community":
                        table.Community[c] = ParseCommunity(v, c == 0 ? nameA : nameB);
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
    private static (Verdict? Verdict, int? Ship, int? Skip) ParsePanelVerdict(Line value)
    {
        var m = PanelVerdictPattern().Match(value.Text);
        if (!m.Success || (!m.Groups["verdict"].Success && !m.Groups["ship"].Success))
            throw new ComparisonFormatException($"expected a panel verdict like 'Ship · 3 ship / 1 skip', found '{value.Text}'", value.Number);
        Verdict? verdict = m.Groups["verdict"].Success ? AsVerdictWord(m.Groups["verdict"].Value) : null;
        int? ship = m.Groups["ship"].Success ? ParseInt(m.Groups["ship"].Value, value) : null;
        int? skip = m.Groups["skip"].Success ? ParseInt(m.Groups["skip"].Value, value) : null;
        return (verdict, ship, skip);
    }

    // ---------------------------------------------------------------------------------------------------
    // Reviewer scorecard

    private abstract record ScoreToken(Line Line);
    private sealed record PersonaToken(Line Line) : ScoreToken(Line);
    private sealed record ScoreLineToken(Line Line, int? Score, Verdict? Verdict) : ScoreToken(Line);
    private sealed record QuoteToken(Line Line, string Quote) : ScoreToken(Line);

    /// <summary>
    /// The scorecard lists, per reviewer, a persona line and then one take per tool in tool order; a take is
    /// an optional score line ("85/100 · ship", "85/100", "ship") followed by an optional quote (with or
    /// without straight or curly quotation marks). A persona line is one of <see cref="StandardPersonas"/>, or
    /// any other short Title Case name (at most three words) directly followed by a score line and not itself
    /// right after a score line. In scored takes, extra quote lines before the next score line are further
    /// paragraphs of the same quote (joined with a blank line).
    /// <para>
    /// Layout 002 shows only quotes: no persona names and no scores. The takes are then paired in order (take
    /// 1 → tool A, take 2 → tool B, take 3 → tool A, ...) and the reviewers are named "Reviewer 1".."Reviewer n".
    /// That pairing is inferred from the page order. The site's standard order is Builder, Skeptic, Futurist,
    /// Founder and the seed pages follow it, but the page does not say so, so we do not claim the names.
    /// </para>
    /// </summary>
    private static List<Reviewer> ParseScorecard(List<Line> lines, int toolCount, int headingLine)
    {
        var tokens = Tokenize(lines);
        var reviewers = new List<Reviewer>();
        if (tokens.Count == 0) return reviewers;
        if (!tokens.OfType<PersonaToken>().Any())
        {
            var takes = ReadTakes(tokens);
            if (takes.Count % toolCount != 0)
                throw new ComparisonFormatException(
                    $"the scorecard names no reviewers, so its takes are paired per tool in order; found {takes.Count} takes, expected a multiple of {toolCount}",
                    headingLine);
            for (var r = 0; r < takes.Count / toolCount; r++)
                reviewers.Add(new Reviewer { Persona = $"Reviewer {r + 1}", Takes = takes.Skip(r * toolCount).Take(toolCount).ToList() });
            return reviewers;
        }
        if (tokens[0] is not PersonaToken)
            throw new ComparisonFormatException("expected a reviewer name (e.g. 'Builder') before the first take", tokens[0].Line.Number);
        var k = 0;
        while (k < tokens.Count)
        {
            var persona = (PersonaToken)tokens[k++];
            var group = new List<ScoreToken>();
            while (k < tokens.Count && tokens[k] is not PersonaToken) group.Add(tokens[k++]);
            var takes = ReadTakes(group);
            if (takes.Count != toolCount)
                throw new ComparisonFormatException($"expected {toolCount} takes (one per tool) for reviewer '{persona.Line.Text}', found {takes.Count}", persona.Line.Number);
            reviewers.Add(new Reviewer { Persona = persona.Line.Text, Takes = takes });
        }
        return reviewers;
    }

    private static List<ReviewerTake> ReadTakes(List<ScoreToken> tokens)
    {
        // When the takes are scored, every take starts with its score line, so a second quote line before the
        // next score line is another paragraph of the same quote. Unscored takes are one line each.
        var scored = tokens.Any(t => t is ScoreLineToken);
        var takes = new List<ReviewerTake>();
        ReviewerTake? current = null;
        var previousWasQuote = false;
        foreach (var token in tokens)
        {
            if (token is ScoreLineToken s)
            {
                if (current is not null) takes.Add(current);
                current = new ReviewerTake { Score = s.Score, Verdict = s.Verdict };
                previousWasQuote = false;
            }
            else if (token is QuoteToken q)
            {
                if (scored && previousWasQuote && current is null && takes.Count > 0 && (takes[^1].Score is not null || takes[^1].Verdict is not null))
                    takes[^1] = takes[^1] with { Quote = takes[^1].Quote + "\n\n" + q.Quote };
                else
                    takes.Add((current ?? new ReviewerTake()) with { Quote = q.Quote });
                current = null;
                previousWasQuote = true;
            }
        }
        if (current is not null) takes.Add(current);
        return takes;
    }

    private static List<ScoreToken> Tokenize(List<Line> lines)
    {
        var tokens = new List<ScoreToken>();
        for (var k = 0; k < lines.Count; k++)
        {
            var line = lines[k];
            if (ParseScoreLine(line.Text) is { } score)
            {
                tokens.Add(new ScoreLineToken(line, score.Score, score.Verdict));
                continue;
            }
            // Another persona: a short Title Case name followed by a score line, and not right after a score line
            // (there the line is that take's quote, however short).
            var isStandard = StandardPersonas.Contains(line.Text, StringComparer.OrdinalIgnoreCase);
            var nextIsScore = k + 1 < lines.Count && ParseScoreLine(lines[k + 1].Text) is not null;
            var afterScore = tokens.Count > 0 && tokens[^1] is ScoreLineToken;
            if (isStandard || (nextIsScore && !afterScore && LooksLikePersona(line.Text)))
            {
                tokens.Add(new PersonaToken(line));
                continue;
            }
            // A quote; one that opens with a quotation mark but does not close on this line continues on the next.
            var text = line.Text;
            while (IsOpeningQuote(text[0]) && !IsClosingQuote(text[^1]) && k + 1 < lines.Count
                   && ParseScoreLine(lines[k + 1].Text) is null)
            {
                text += "\n" + lines[++k].Text;
            }
            tokens.Add(new QuoteToken(line, Unquote(text)));
        }
        return tokens;
    }

    private static (int? Score, Verdict? Verdict)? ParseScoreLine(string text)
    {
        var m = ScoreLinePattern().Match(text);
        if (!m.Success || (!m.Groups["score"].Success && !m.Groups["verdict"].Success)) return null;
        int? score = m.Groups["score"].Success ? int.Parse(m.Groups["score"].Value, CultureInfo.InvariantCulture) : null;
        return (score, m.Groups["verdict"].Success ? AsVerdictWord(m.Groups["verdict"].Value) : null);
    }

    private static bool IsOpeningQuote(char c) => c is '"' or '“' or '„' or '«' or '”';
    private static bool IsClosingQuote(char c) => c is '"' or '”' or '“' or '»';

    /// <summary>Removes one pair of surrounding double quotation marks (straight or curly); inner text untouched.</summary>
    private static string Unquote(string text)
    {
        if (text.Length >= 2 && IsOpeningQuote(text[0]) && IsClosingQuote(text[^1])) return text[1..^1].Trim();
        return text;
    }

    [GeneratedRegex(@"\s+(?:vs\.?|VS\.?|Vs\.?)\s+", RegexOptions.CultureInvariant)]
    private static partial Regex VsSeparator();

    [GeneratedRegex(@"(\d{1,3})\s*%", RegexOptions.CultureInvariant)]
    private static partial Regex Percent();

    [GeneratedRegex(@"(?<n>\d[\d,]*(?:\.\d+)?)\s*(?<k>[kK])?\s*votes?\b", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex Votes();

    [GeneratedRegex(@"^(?<verdict>ship|skip)?\s*[·•|:\-–—]?\s*(?:(?<ship>\d+)\s*ship\s*/\s*(?<skip>\d+)\s*skip)?$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex PanelVerdictPattern();

    [GeneratedRegex(@"^(?:(?<score>\d{1,3})\s*/\s*100)?\s*[·•|:,\-–—]?\s*(?<verdict>ship|skip)?$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex ScoreLinePattern();
}
