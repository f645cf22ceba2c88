using Newsletter.Comparisons;

namespace Newsletter.Templates;

/// <summary>
/// The single reviewer quote an edition shows per comparison.
/// <para><b>Rule.</b> Among reviewers with at least one non-empty quote, pick the one who disagrees most with
/// themselves between the two tools:</para>
/// <list type="number">
/// <item>a reviewer whose verdicts differ (ship for one tool, skip for the other) beats one whose verdicts agree or are missing;</item>
/// <item>then the larger absolute score gap wins (a missing score counts as a gap of 0);</item>
/// <item>ties go to the first reviewer in page order.</item>
/// </list>
/// <para>From that reviewer we quote the take on the tool they rated <em>lower</em> (skip below ship; then lower score) —
/// the critical take tells a reader what they would give up. If the reviewer rated both the same, or the lower-rated
/// take has no quote, we use their first quoted take in tool order.</para>
/// <para>The quote is whitespace-normalised and shortened at a word boundary to at most
/// <see cref="EditionView.QuoteMaxLength"/> characters, ellipsis included (<see cref="TextTools.Shorten"/>).</para>
/// </summary>
/// <param name="Persona">The reviewer persona, e.g. "Skeptic".</param>
/// <param name="ToolName">The tool the quote is about.</param>
/// <param name="Text">The shortened quote, without quotation marks.</param>
/// <param name="Take">The reviewer's score/verdict for that tool.</param>
/// <param name="Shortened">True when <paramref name="Text"/> was cut.</param>
public sealed record HighlightQuote(string Persona, string ToolName, string Text, ScoreCell Take, bool Shortened)
{
    public static HighlightQuote? Choose(Comparison comparison, int maxLength = EditionView.QuoteMaxLength)
    {
        Reviewer? best = null;
        (int Split, int Gap) bestKey = (-1, -1);
        foreach (var r in comparison.Reviewers)
        {
            if (!r.Takes.Any(t => !string.IsNullOrWhiteSpace(t.Quote)))
            {
                continue;
            }

            var key = Disagreement(r);
            if (key.Split > bestKey.Split || (key.Split == bestKey.Split && key.Gap > bestKey.Gap))
            {
                best = r;
                bestKey = key;
            }
        }

        if (best is null)
        {
            return null;
        }

        var index = LowerRated(best);
        if (index is null || string.IsNullOrWhiteSpace(best.Takes[index.Value].Quote))
        {
            index = Enumerable.Range(0, best.Takes.Count).First(i => !string.IsNullOrWhiteSpace(best.Takes[i].Quote));
        }

        var take = best.Takes[index.Value];
        var normalized = TextTools.NormalizeSpace(take.Quote);
        var text = TextTools.Shorten(normalized, maxLength);
        var toolName = index.Value < comparison.Tools.Count ? TextTools.NormalizeSpace(comparison.Tools[index.Value].Name) : string.Empty;
        return new HighlightQuote(TextTools.NormalizeSpace(best.Persona), toolName, text, ScoreCell.Create(take), text.Length != normalized.Length);
    }

    /// <summary>(1 if the two verdicts differ else 0, absolute score gap or 0).</summary>
    internal static (int Split, int Gap) Disagreement(Reviewer r)
    {
        if (r.Takes.Count < 2)
        {
            return (0, 0);
        }

        var a = r.Takes[0];
        var b = r.Takes[1];
        var split = a.Verdict is { } va && b.Verdict is { } vb && va != vb ? 1 : 0;
        var gap = a.Score is { } sa && b.Score is { } sb ? Math.Abs(sa - sb) : 0;
        return (split, gap);
    }

    /// <summary>Index of the take rated lower, or null when they rate the same (or can't be compared).</summary>
    private static int? LowerRated(Reviewer r)
    {
        if (r.Takes.Count < 2)
        {
            return null;
        }

        var a = r.Takes[0];
        var b = r.Takes[1];
        if (a.Verdict is { } va && b.Verdict is { } vb && va != vb)
        {
            return va == Verdict.Skip ? 0 : 1;
        }

        if (a.Score is { } sa && b.Score is { } sb && sa != sb)
        {
            return sa < sb ? 0 : 1;
        }

        return null;
    }
}
