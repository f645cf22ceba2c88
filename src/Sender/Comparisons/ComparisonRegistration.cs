using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Newsletter.Sender.Comparisons;

public static class ComparisonRegistration
{
    /// <summary>
    /// Registers <see cref="ComparisonStore"/>, <see cref="ComparisonIngestor"/> and <see cref="ComparisonOptions"/>
    /// (bound from the <c>Newsletter</c> section). Needs <c>NpgsqlDataSource</c>, <c>IOptions&lt;SiteOptions&gt;</c>
    /// and a <see cref="TimeProvider"/> (System unless one is registered). The page parser and the selection are static.
    /// </summary>
    public static IHostApplicationBuilder AddComparisons(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<ComparisonOptions>()
            .BindConfiguration("Newsletter", o => o.ErrorOnUnknownConfiguration = false)
            .Validate(o => o.ComparisonLookBackDays is >= 1 and <= 3650, "Newsletter__ComparisonLookBackDays must be between 1 and 3650")
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<ComparisonStore>();
        builder.Services.TryAddSingleton<ComparisonIngestor>();
        return builder;
    }
}
