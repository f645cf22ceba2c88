using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Newsletter.Comparisons;

namespace Newsletter.Sender.Hosting;

public static class ComparisonRegistration
{
    /// <summary>
    /// Registers <see cref="ComparisonStore"/>, <see cref="ComparisonIngestor"/> and <see cref="SelectionOptions"/>
    /// (bound from the <c>Newsletter</c> section). Needs <c>NpgsqlDataSource</c>, <c>IOptions&lt;SiteOptions&gt;</c>
    /// and a <see cref="TimeProvider"/> (System unless one is registered). The page parser and the selection are static.
    /// </summary>
    public static IHostApplicationBuilder AddComparisons(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // NewsletterOptions binds the same section; each ignores the other's keys.
        builder.Services.AddOptions<SelectionOptions>()
            .BindConfiguration(SelectionOptions.Section, o => o.ErrorOnUnknownConfiguration = false)
            .Validate(o => o.MaxComparisonsPerEdition is >= 1 and <= 50, "Newsletter__MaxComparisonsPerEdition must be between 1 and 50")
            .Validate(o => o.ComparisonLookBackDays is >= 1 and <= 3650, "Newsletter__ComparisonLookBackDays must be between 1 and 3650")
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<ComparisonStore>();
        builder.Services.TryAddSingleton(sp => new ComparisonIngestor(
            sp.GetRequiredService<ComparisonStore>(),
            sp.GetRequiredService<IOptions<SiteOptions>>().Value.ComparisonBaseUrl,
            sp.GetRequiredService<TimeProvider>()));
        return builder;
    }
}
