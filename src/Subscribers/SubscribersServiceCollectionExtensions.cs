using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Newsletter.Subscribers;

/// <summary>Registers the subscriber lifecycle: its options (the "Subscribers" section, bound once) and its services.</summary>
public static class SubscribersServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="SubscribersOptions"/> and validates it at start-up, then registers the services; they need an
    /// <c>NpgsqlDataSource</c>, a <see cref="TimeProvider"/> and an <see cref="ISubscriberDepartures"/> from the host.
    /// </summary>
    public static IServiceCollection AddSubscribers(this IServiceCollection services)
    {
        services.AddOptions<SubscribersOptions>()
            .BindConfiguration(SubscribersOptions.Section)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<SubscribersOptions>, SubscribersOptionsValidator>();
        services.AddOptions<ProviderWebhooksOptions>().BindConfiguration(ProviderWebhooksOptions.Section);
        services.AddOptions<BouncesOptions>()
            .BindConfiguration(BouncesOptions.Section)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<BouncesOptions>, BouncesOptionsValidator>();
        // The services read the settings once; a singleton of the bound value keeps their constructors plain.
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<SubscribersOptions>>().Value);
        services.AddSingleton(sp => new UnsubscribeTokens(sp.GetRequiredService<SubscribersOptions>().UnsubscribeKeys));
        services.AddSingleton(sp => new SuppressionHash(sp.GetRequiredService<SubscribersOptions>().SuppressionKey));
        services.AddSingleton<SubscriberService>();
        services.AddSingleton<BounceRecorder>();
        services.AddSingleton<ProviderEventRecorder>();
        services.AddSingleton<InboundReportProcessor>();
        services.AddSingleton<BounceMailbox>();
        services.AddSingleton<SubscriberAdmin>();
        services.AddSingleton<SubscriberImporter>();
        services.AddSingleton<SubscriberExporter>();
        services.AddSingleton<SubscriberPurge>();
        services.AddSingleton<OutboxStore>();
        return services;
    }
}
