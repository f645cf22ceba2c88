using System.Globalization;
using System.Text.RegularExpressions;

namespace Newsletter.Comparisons;

/// <summary>
/// The scorecard lists, per reviewer, a persona line and then one take per tool in tool order; a take is
/// an optional score line ("85/100 · ship", "85/100", "ship") followed by an optional quote (with or
/// without straight or curly quotation marks). A persona line is one of <see cref="ComparisonPageParser.StandardPersonas"/>, or
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
internal static partial class ScorecardReader
{
    private abstract record ScoreToken(PageLine Line);
    private sealed record PersonaToken(PageLine Line) : ScoreToken(Line);
    private sealed record ScoreLineToken(PageLine Line, int? Score, Verdict? Verdict) : ScoreToken(Line);
    private sealed record QuoteToken(PageLine Line, string Quote) : ScoreToken(Line);

    /// <summary>The reviewers of the lines after the "Reviewer scorecard" heading (on line <paramref name="headingLine"/>).</summary>
    public static List<Reviewer> Read(List<PageLine> lines, int toolCount, int headingLine)
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

    private static List<ScoreToken> Tokenize(List<PageLine> lines)
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
            var isStandard = ComparisonPageParser.StandardPersonas.Contains(line.Text, StringComparer.OrdinalIgnoreCase);
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

    private static bool LooksLikePersona(string text)
    {
        var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return text.Length <= 40 && words.Length <= 3 && words.All(w => char.IsUpper(w[0]) && w.All(c => char.IsLetterOrDigit(c) || c is '-' or '.' or '\''));
    }

    private static (int? Score, Verdict? Verdict)? ParseScoreLine(string text)
    {
        var m = ScoreLinePattern().Match(text);
        if (!m.Success || (!m.Groups["score"].Success && !m.Groups["verdict"].Success)) return null;
        int? score = m.Groups["score"].Success ? int.Parse(m.Groups["score"].Value, CultureInfo.InvariantCulture) : null;
        return (score, m.Groups["verdict"].Success ? PageValues.AsVerdictWord(m.Groups["verdict"].Value) : null);
    }

    private static bool IsOpeningQuote(char c) => c is '"' or '“' or '„' or '«' or '”';
    private static bool IsClosingQuote(char c) => c is '"' or '”' or '“' or '»';

    /// <summary>Removes one pair of surrounding double quotation marks (straight or curly); inner text untouched.</summary>
    private static string Unquote(string text)
    {
        if (text.Length >= 2 && IsOpeningQuote(text[0]) && IsClosingQuote(text[^1])) return text[1..^1].Trim();
        return text;
    }

    [GeneratedRegex(@"^(?:(?<score>\d{1,3})\s*/\s*100)?\s*[·•|:,\-–—]?\s*(?<verdict>ship|skip)?$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex ScoreLinePattern();
}
