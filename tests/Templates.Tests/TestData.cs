using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Newsletter.Comparisons;

namespace Newsletter.Templates.Tests;

/// <summary>Shared renderer, site values, markers and the sample comparisons.</summary>
public sealed class TemplateFixture : IAsyncLifetime
{
    public static readonly SiteInfo Site = new("Weekly AI Tool Verdicts", "https://news.example.com", "https://aitoolverdicts.example",
                                               "Example Media Ltd, 12 Sample Street, London EC1A 1AA", "verdicts@news.example.com");

    public static readonly PersonalSlots Markers = new("{{{k3j4.unsubscribe_url}}}", "{{{k3j4.email}}}");

    public static readonly DateTimeOffset EditionDate = new(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);

    public IReadOnlyList<Comparison> Samples { get; } = SampleComparisons.Load(SampleComparisons.FindDirectory(AppContext.BaseDirectory));

    public ServiceProvider Services { get; } = new ServiceCollection().AddLogging().BuildServiceProvider();

    public EmailRenderer Emails { get; private set; } = default!;

    public HtmlRenderer Html { get; private set; } = default!;

    public Task InitializeAsync()
    {
        var lf = Services.GetRequiredService<ILoggerFactory>();
        Emails = new EmailRenderer(Services, lf);
        Html = new HtmlRenderer(Services, lf);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await Emails.DisposeAsync();
        await Html.DisposeAsync();
        await Services.DisposeAsync();
    }

    public EditionEmailModel Edition(IReadOnlyList<Comparison>? comparisons = null, long id = 42) =>
        new(Site, id, EditionDate, comparisons ?? Samples, Markers, "https://news.example.com/editions/42");

    public Task<string> RenderAsync<T>(Dictionary<string, object?> parameters)
        where T : IComponent =>
        Html.Dispatcher.InvokeAsync(async () => (await Html.RenderComponentAsync<T>(ParameterView.FromDictionary(parameters))).ToHtmlString());

    public static IDocument Parse(string html) => new HtmlParser().ParseDocument(html);

    public static Comparison Minimal(string title = "Alpha vs Beta", params Reviewer[] reviewers) => new()
    {
        Slug = "alpha-vs-beta",
        Title = title,
        PublishedAt = new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero),
        Tools =
        [
            new Tool { Name = "Alpha", EntryPrice = "Free", PanelVerdict = Verdict.Ship, PanelShipVotes = 3, PanelSkipVotes = 1 },
            new Tool { Name = "Beta", EntryPrice = "Paid", PanelVerdict = Verdict.Skip, PanelShipVotes = 1, PanelSkipVotes = 3 },
        ],
        Reviewers = reviewers,
    };

    public static Reviewer Reviewer(string persona, (int? Score, Verdict? Verdict, string? Quote) a, (int? Score, Verdict? Verdict, string? Quote) b) => new()
    {
        Persona = persona,
        Takes =
        [
            new ReviewerTake { Score = a.Score, Verdict = a.Verdict, Quote = a.Quote },
            new ReviewerTake { Score = b.Score, Verdict = b.Verdict, Quote = b.Quote },
        ],
    };
}

[CollectionDefinition(Name)]
public sealed class TemplateCollection : ICollectionFixture<TemplateFixture>
{
    public const string Name = "templates";
}
