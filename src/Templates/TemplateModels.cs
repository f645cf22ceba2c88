using Newsletter.Templates.Emails;

namespace Newsletter.Templates;

/// <summary>Builds what each template receives from the renderer's models; subjects and preheaders are set here.</summary>
internal static class TemplateModels
{
    public static (EditionView View, EditionTemplateModel Model) Edition(EditionEmailModel model)
    {
        var view = EditionView.Create(model);
        return (view, new EditionTemplateModel
        {
            Site = model.Site,
            Subject = view.Subject,
            Preheader = view.Preheader,
            Masthead = model.WebVersion ? null : new MastheadModel(view.NewsletterName, model.ArchiveUrl),
            Footer = new FooterModel(model.WebVersion ? FooterKind.EditionWeb : FooterKind.Edition, model.Site,
                                     model.Personal.UnsubscribeUrl, model.Personal.Email, model.ArchiveUrl),
            View = view,
            ArchiveUrl = model.ArchiveUrl,
            WebVersion = model.WebVersion,
        });
    }

    public static ConfirmationTemplateModel Confirmation(ConfirmationEmailModel model) => new()
    {
        Site = model.Site,
        Subject = $"Confirm your subscription to {model.Site.NewsletterName}",
        Preheader = $"One click to confirm. The link expires in {TextTools.Duration(model.ExpiresIn)}.",
        Masthead = new MastheadModel(model.Site.NewsletterName, null),
        Footer = new FooterModel(FooterKind.Confirmation, model.Site),
        ConfirmUrl = model.ConfirmUrl,
        ExpiresIn = TextTools.Duration(model.ExpiresIn),
        Email = model.Email,
    };

    public static WelcomeTemplateModel Welcome(WelcomeEmailModel model) => new()
    {
        Site = model.Site,
        Subject = $"You're in: {model.Site.NewsletterName}",
        Preheader = $"You're confirmed. One email {model.ScheduleDescription} with every new AI tool comparison.",
        Masthead = new MastheadModel(model.Site.NewsletterName, null),
        Footer = new FooterModel(FooterKind.Welcome, model.Site, model.UnsubscribeUrl),
        LatestEditionUrl = model.LatestEditionUrl,
        ScheduleDescription = model.ScheduleDescription,
    };

    public static GoodbyeTemplateModel Goodbye(GoodbyeEmailModel model) => new()
    {
        Site = model.Site,
        Subject = $"You've unsubscribed from {model.Site.NewsletterName}",
        Preheader = "You won't get any more editions. Changed your mind? One click brings you back.",
        Masthead = new MastheadModel(model.Site.NewsletterName, null),
        Footer = new FooterModel(FooterKind.Goodbye, model.Site),
        ResubscribeUrl = model.ResubscribeUrl,
    };
}
