using System.Globalization;
using Newsletter.Comparisons;

namespace Newsletter.Templates.Text;

/// <summary>The plain-text parts, written for reading — generated from the models, never from the HTML.</summary>
public static class PlainText
{
    public static string Edition(EditionEmailModel model, EditionView view)
    {
        var t = new TextBuilder();
        t.Line(view.NewsletterName.ToUpperInvariant())
         .Line($"Edition {view.EditionId.ToString(CultureInfo.InvariantCulture)} · {view.DateLabel}")
         .Blank()
         .Paragraph(view.Intro)
         .Blank();

        if (view.Comparisons.Count > 1)
        {
            t.Line("AT A GLANCE");
            for (var i = 0; i < view.Comparisons.Count; i++)
            {
                var c = view.Comparisons[i];
                t.Paragraph(c.Title + ": " + string.Join(" / ", c.Tools.Select(x => x.VerdictLabel ?? "no verdict")), "  ", "- ");
                if (i >= EditionView.MaxFullComparisons)
                {
                    t.Line("  " + c.Url);
                }
            }

            t.Blank();
        }

        foreach (var c in view.FullComparisons)
        {
            t.Line(new string('=', TextBuilder.Width)).Blank();
            t.Paragraph(c.Eyebrow.ToUpperInvariant());
            t.Heading(c.Title, '-');
            if (c.Summary is not null)
            {
                t.Paragraph(c.Summary);
            }

            if (c.BottomLine is not null)
            {
                t.Blank().Paragraph("Verdict: " + c.BottomLine);
            }

            t.Blank();
            foreach (var tool in c.Tools)
            {
                var verdict = tool.VerdictLabel is null ? "NO VERDICT" : tool.VerdictLabel.ToUpperInvariant();
                var split = string.Join(", ", new[] { tool.PanelSplit, tool.PanelShipLabel }.Where(x => x is not null));
                t.Paragraph($"{tool.Name}: {verdict}" + (split.Length > 0 ? $" ({split})" : string.Empty));
                var price = tool.EntryPrice is null ? tool.PricingDetail : tool.PricingDetail is null ? tool.EntryPrice : $"{tool.EntryPrice} — {tool.PricingDetail}";
                t.Labelled("  Price", price, 13);
                t.Labelled("  Best for", tool.BestFor, 13);
                t.Labelled("  Category", tool.Category, 13);
                t.Labelled("  Community", tool.CommunityLabel, 13);
                t.Blank();
            }

            if (c.Scorecard.Count > 0)
            {
                t.Line("Reviewer scorecard");
                var personaWidth = Math.Max(10, c.Scorecard.Max(r => r.Persona.Length) + 2);
                var colWidth = Math.Max(12, c.Tools.Select(x => Math.Min(x.Name.Length, 28)).DefaultIfEmpty(0).Max() + 2);
                t.Line("  " + "".PadRight(personaWidth) + string.Concat(c.Tools.Select(x => Clip(x.Name, colWidth - 2).PadRight(colWidth))));
                foreach (var row in c.Scorecard)
                {
                    t.Line("  " + row.Persona.PadRight(personaWidth) + string.Concat(row.Cells.Select(x => x.Text.PadRight(colWidth))));
                }

                t.Blank();
            }

            if (c.Highlight is { } q)
            {
                t.Paragraph("“" + q.Text + "”", "  ", "  ");
                t.Paragraph($"— The {q.Persona} on {q.ToolName}" + (q.Take.IsEmpty ? string.Empty : $" ({q.Take.Text})"), "    ", "    ");
                t.Blank();
            }

            t.Line("Read the full comparison:").Line(c.Url).Blank();
        }

        t.Line(new string('-', TextBuilder.Width)).Blank();
        if (model.WebVersion)
        {
            t.Paragraph($"You're reading the web version of {model.Site.NewsletterName}. Subscribe:").Line(model.Personal.UnsubscribeUrl);
        }
        else
        {
            t.Paragraph($"You're receiving this because {model.Personal.Email} subscribed to {model.Site.NewsletterName}.")
             .Blank()
             .Line("Unsubscribe: " + model.Personal.UnsubscribeUrl)
             .Line("View in browser: " + model.ArchiveUrl);
        }

        t.Blank().Line(model.Site.NewsletterName).Paragraph(model.Site.PostalAddress);
        return t.ToString();
    }

    public static string Confirmation(ConfirmationEmailModel model)
    {
        var t = new TextBuilder();
        t.Line(model.Site.NewsletterName.ToUpperInvariant()).Blank()
         .Heading("Confirm your subscription", '=').Blank()
         .Paragraph($"Someone — hopefully you — asked to send {model.Site.NewsletterName} to {model.Email}: one email a week with the latest AI tool comparisons.")
         .Blank()
         .Paragraph("Please confirm that this is your address by opening this link:")
         .Blank()
         .Line(model.ConfirmUrl)
         .Blank()
         .Paragraph($"The link expires in {TextTools.Duration(model.ExpiresIn)}.")
         .Blank()
         .Paragraph("If it wasn't you, just ignore this email. You won't be subscribed and won't hear from us again.")
         .Blank()
         .Line("--")
         .Line(model.Site.NewsletterName).Paragraph(model.Site.PostalAddress);
        return t.ToString();
    }

    public static string Welcome(WelcomeEmailModel model)
    {
        var t = new TextBuilder();
        t.Line(model.Site.NewsletterName.ToUpperInvariant()).Blank()
         .Heading("You're in. Welcome!", '=').Blank()
         .Paragraph("Your subscription is confirmed. Here's what to expect:")
         .Blank()
         .Paragraph($"When: one email {model.ScheduleDescription} — only when there's something new.", "  ", "- ")
         .Paragraph("What: every comparison published that week — two AI tools side by side, the panel's ship/skip verdict, pricing and the reviewer split.", "  ", "- ")
         .Paragraph("Why: so you can decide \"ship or skip\" in a minute, straight from your inbox.", "  ", "- ")
         .Blank();
        if (model.LatestEditionUrl is not null)
        {
            t.Paragraph("Can't wait until then? Catch up on the latest edition:").Line(model.LatestEditionUrl).Blank();
        }

        t.Line("--")
         .Paragraph($"You're receiving this because you confirmed your subscription to {model.Site.NewsletterName}. Not for you after all? Unsubscribe any time:")
         .Line(model.UnsubscribeUrl)
         .Blank()
         .Line(model.Site.NewsletterName).Paragraph(model.Site.PostalAddress);
        return t.ToString();
    }

    public static string Goodbye(GoodbyeEmailModel model)
    {
        var t = new TextBuilder();
        t.Line(model.Site.NewsletterName.ToUpperInvariant()).Blank()
         .Heading("You've been unsubscribed", '=').Blank()
         .Paragraph($"You won't receive {model.Site.NewsletterName} any more. This is the last email we'll send you.")
         .Blank()
         .Paragraph("Unsubscribed by mistake, or changed your mind? You can come back any time:")
         .Line(model.ResubscribeUrl)
         .Blank()
         .Line("--")
         .Line(model.Site.NewsletterName).Paragraph(model.Site.PostalAddress);
        return t.ToString();
    }

    private static string Clip(string s, int max) => s.Length <= max ? s : s[..(max - 1)] + "…";
}
