using Newsletter.Comparisons;

namespace Newsletter.Templates.Emails;

/// <summary>
/// Colours and inline style fragments for the email templates. Layout never depends on the &lt;style&gt; block;
/// that block only adds dark-mode colours and narrow-screen stacking as progressive enhancement.
/// Light colours are chosen for ≥ 4.5:1 contrast on their backgrounds; badge and button colours are mid/dark tones
/// with white text so they hold in dark mode and under client-side colour inversion too.
/// </summary>
public static class EmailStyles
{
    public const string Font = "-apple-system,BlinkMacSystemFont,Segoe UI,Roboto,Helvetica,Arial,sans-serif";
    public const string Serif = "Georgia,Times New Roman,serif";

    public const string PageBg = "#eef0f5";
    public const string CardBg = "#ffffff";
    public const string SoftBg = "#f5f6fa";
    public const string Ink = "#161b26";        // 17.4:1 on white
    public const string Muted = "#4a5263";      // 7.9:1 on white, 7.4:1 on SoftBg
    public const string Border = "#dde1ea";
    public const string Accent = "#4338ca";     // white on it: 7.9:1; on white: 7.9:1
    public const string Ship = "#166534";       // white on it: 7.1:1
    public const string Skip = "#b42318";       // white on it: 6.6:1
    public const string NoVerdict = "#4a5263";

    public const string Text = "font-family:" + Font + ";color:" + Ink + ";";
    public const string Small = "font-family:" + Font + ";font-size:13px;line-height:20px;color:" + Muted + ";";
    public const string Link = "color:" + Accent + ";text-decoration:underline;";

    /// <summary>
    /// Progressive enhancement only: dark-mode palette (Apple Mail, iOS, Outlook.com via [data-ogsc]) and stacking
    /// the two tool columns below 480 px.
    /// </summary>
    public const string HeadCss = """
        :root{color-scheme:light dark;supported-color-schemes:light dark;}
        body{margin:0;padding:0;-webkit-text-size-adjust:100%;text-size-adjust:100%;}
        a{color:#4338ca;}
        @media (prefers-color-scheme: dark){
          .e-page{background-color:#0e1117 !important;}
          .e-card{background-color:#171b23 !important;}
          .e-soft{background-color:#1f2430 !important;}
          .e-ink{color:#eef0f5 !important;}
          .e-muted{color:#b9c0cd !important;}
          .e-link{color:#b4bbff !important;}
          .e-bd{border-color:#2f3645 !important;}
          .e-ship{color:#7ee2a4 !important;}
          .e-skip{color:#ffaaa0 !important;}
          .e-quote{border-left-color:#8b93ff !important;}
        }
        [data-ogsc] .e-ink{color:#eef0f5 !important;}
        [data-ogsc] .e-muted{color:#b9c0cd !important;}
        [data-ogsc] .e-link{color:#b4bbff !important;}
        [data-ogsc] .e-ship{color:#7ee2a4 !important;}
        [data-ogsc] .e-skip{color:#ffaaa0 !important;}
        [data-ogsb] .e-page{background-color:#0e1117 !important;}
        [data-ogsb] .e-card{background-color:#171b23 !important;}
        [data-ogsb] .e-soft{background-color:#1f2430 !important;}
        @media only screen and (max-width:480px){
          .e-stack{display:block !important;width:100% !important;max-width:100% !important;box-sizing:border-box;}
          .e-gap{display:block !important;width:100% !important;height:12px !important;}
          .e-pad{padding-left:18px !important;padding-right:18px !important;}
          .e-h1{font-size:22px !important;line-height:28px !important;}
        }
        """;

    /// <summary>
    /// The dark-mode and stacking rules alone (no element selectors), for embedding an edition's body in a web page.
    /// </summary>
    public static readonly string EmbedStyleElement = "<style>" + string.Join("\n", HeadCss.Split('\n').Where(l => !l.StartsWith(":root", StringComparison.Ordinal) && !l.StartsWith("body", StringComparison.Ordinal) && !l.StartsWith("a{", StringComparison.Ordinal))) + "</style>";

    /// <summary>The constant &lt;style&gt; element (never contains content).</summary>
    public const string HeadStyleElement = "<style>" + HeadCss + "</style>";

    /// <summary>
    /// Zero-width padding after the preheader so clients don't pull body text into the preview; in lines of ten groups
    /// (white space there collapses into the padding) so the HTML keeps short lines.
    /// </summary>
    public static readonly string PreheaderPadHtml = string.Join("\n", Enumerable.Repeat(
        string.Concat(Enumerable.Repeat("&#847;&#8204;&#160;", 10)), 6));

    /// <summary>Width of one tool column: the card's width shared out, leaving 1% per gap.</summary>
    public static string ColumnWidth(int tools) => tools <= 1 ? "100%" : $"{(100 - tools) / tools}%";

    /// <summary>Text colour of a verdict word.</summary>
    public static string VerdictColour(Verdict? v) => v switch
    {
        Verdict.Ship => Ship,
        Verdict.Skip => Skip,
        _ => Muted,
    };

    /// <summary>The class that gives a verdict word its dark-mode colour.</summary>
    public static string VerdictClass(Verdict? v) => v switch
    {
        Verdict.Ship => "e-ship",
        Verdict.Skip => "e-skip",
        _ => "e-muted",
    };

    /// <summary>Background of the solid verdict pill (white text).</summary>
    public static string BadgeColour(Verdict? v) => v switch
    {
        Verdict.Ship => Ship,
        Verdict.Skip => Skip,
        _ => NoVerdict,
    };

    /// <summary>"Ship", "Skip" or "No verdict" (the pill shows it in capitals).</summary>
    public static string BadgeLabel(Verdict? v) => v switch
    {
        Verdict.Ship => "Ship",
        Verdict.Skip => "Skip",
        _ => "No verdict",
    };
}
