using Microsoft.Extensions.DependencyInjection;
using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.Logging;
using Newsletter.Comparisons;
using Newsletter.Templates.Text;

namespace Newsletter.Templates;

/// <summary>
/// Renders every email: HTML from the RazorLight templates (<see cref="EmailTemplates"/>: built-in defaults, overridable
/// from files on the server), plain text from the model via <see cref="PlainText"/>. Thread-safe; register as a
/// singleton. The HTML is rendered once per edition — per-recipient values are marker strings from
/// <see cref="PersonalSlots"/>, replaced later per recipient by src/Mail's MessageTemplate. The public pages stay Razor
/// components, rendered by <see cref="RenderAsync{TComponent}"/>.
/// </summary>
public sealed class EmailRenderer : IAsyncDisposable, IDisposable
{
    /// <summary>Maximum subject length.</summary>
    public const int SubjectMaxLength = 78;

    private readonly HtmlRenderer renderer;

    public EmailRenderer(IServiceProvider services, ILoggerFactory loggerFactory)
        : this(services, loggerFactory, services.GetService<EmailTemplates>() ?? EmailTemplates.Defaults)
    {
    }

    public EmailRenderer(IServiceProvider services, ILoggerFactory loggerFactory, EmailTemplates templates)
    {
        Templates = templates;
        // The renderer lives as long as this singleton; components resolve scoped services (e.g. the components'
        // activity source), which the root provider refuses when scopes are validated (Development).
        scope = services.CreateAsyncScope();
        renderer = new HtmlRenderer(scope.ServiceProvider, loggerFactory);
    }

    private readonly AsyncServiceScope scope;

    /// <summary>The email templates in use.</summary>
    public EmailTemplates Templates { get; }

    /// <summary>Renders the edition once; throws <see cref="TemplateException"/> when its template cannot be used.</summary>
    public async Task<RenderedEmail> RenderEditionAsync(EditionEmailModel model, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        var (view, templateModel) = TemplateModels.Edition(model);
        var html = await Templates.RenderAsync(EmailTemplates.Edition, templateModel, ct);
        return new RenderedEmail(view.Subject, view.Preheader, EmailHtml.SevenBit(html), PlainText.Edition(model, view));
    }

    /// <summary>
    /// The public "view in browser" copy of an edition: same HTML, footer worded for the web, the unsubscribe
    /// slot pointing at the signup page and no recipient address. Feed the result to the edition web page.
    /// </summary>
    public async Task<RenderedEmail> RenderEditionWebAsync(SiteInfo site, long editionId, DateTimeOffset date, IReadOnlyList<Comparison> comparisons,
                                                           string archiveUrl, CancellationToken ct = default)
    {
        var model = new EditionEmailModel(site, editionId, date, comparisons, new PersonalSlots(TextTools.Combine(site.BaseUrl, "/"), string.Empty), archiveUrl)
        {
            WebVersion = true,
        };
        return await RenderEditionAsync(model, ct);
    }

    public async Task<RenderedEmail> RenderConfirmationAsync(ConfirmationEmailModel model, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        var templateModel = TemplateModels.Confirmation(model);
        var html = await Templates.RenderAsync(EmailTemplates.Confirmation, templateModel, ct);
        return new RenderedEmail(templateModel.Subject, templateModel.Preheader, EmailHtml.SevenBit(html), PlainText.Confirmation(model));
    }

    public async Task<RenderedEmail> RenderWelcomeAsync(WelcomeEmailModel model, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        var templateModel = TemplateModels.Welcome(model);
        var html = await Templates.RenderAsync(EmailTemplates.Welcome, templateModel, ct);
        return new RenderedEmail(templateModel.Subject, templateModel.Preheader, EmailHtml.SevenBit(html), PlainText.Welcome(model));
    }

    public async Task<RenderedEmail> RenderGoodbyeAsync(GoodbyeEmailModel model, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        var templateModel = TemplateModels.Goodbye(model);
        var html = await Templates.RenderAsync(EmailTemplates.Goodbye, templateModel, ct);
        return new RenderedEmail(templateModel.Subject, templateModel.Preheader, EmailHtml.SevenBit(html), PlainText.Goodbye(model));
    }

    /// <summary>Renders one of the four emails with sample data on <paramref name="site"/> (template previews).</summary>
    public Task<RenderedEmail> RenderSampleAsync(string fileName, SiteInfo site, CancellationToken ct = default) => fileName switch
    {
        EmailTemplates.Edition => RenderEditionAsync(TemplateSamples.Edition(site), ct),
        EmailTemplates.Confirmation => RenderConfirmationAsync(TemplateSamples.Confirmation(site), ct),
        EmailTemplates.Welcome => RenderWelcomeAsync(TemplateSamples.Welcome(site), ct),
        EmailTemplates.Goodbye => RenderGoodbyeAsync(TemplateSamples.Goodbye(site), ct),
        _ => RenderEditionAsync(TemplateSamples.Edition(site), ct), // layout and partials show in the edition
    };

    /// <summary>
    /// Subject for an edition: "A vs B + 2 more verdicts" (or "A vs B: the panel's verdict" for one comparison),
    /// at most <see cref="SubjectMaxLength"/> characters; when the first title is too long it is shortened at a word
    /// boundary with an ellipsis — never cut mid-word.
    /// </summary>
    public static string EditionSubject(IReadOnlyList<Comparison> comparisons)
    {
        ArgumentNullException.ThrowIfNull(comparisons);
        if (comparisons.Count == 0)
        {
            return "This week's AI tool verdicts";
        }

        var title = TextTools.NormalizeSpace(comparisons[0].Title);
        var suffix = comparisons.Count switch
        {
            1 => string.Empty,
            2 => " + 1 more verdict",
            _ => $" + {(comparisons.Count - 1).ToString(CultureInfo.InvariantCulture)} more verdicts",
        };
        if (comparisons.Count == 1)
        {
            const string single = ": the panel's verdict";
            return title.Length + single.Length <= SubjectMaxLength ? title + single : TextTools.Shorten(title, SubjectMaxLength);
        }

        return TextTools.Shorten(title, SubjectMaxLength - suffix.Length) + suffix;
    }

    /// <summary>Renders any component in this assembly to an HTML string (used by the emails; handy for tests and hosts).</summary>
    public Task<string> RenderAsync<TComponent>(IDictionary<string, object?> parameters, CancellationToken ct = default)
        where TComponent : IComponent
    {
        ct.ThrowIfCancellationRequested();
        return renderer.Dispatcher.InvokeAsync(async () =>
        {
            var output = await renderer.RenderComponentAsync<TComponent>(ParameterView.FromDictionary(parameters));
            return output.ToHtmlString();
        });
    }

    public async ValueTask DisposeAsync()
    {
        await renderer.DisposeAsync();
        await scope.DisposeAsync();
    }

    public void Dispose()
    {
        renderer.Dispose();
        scope.Dispose();
    }
}
