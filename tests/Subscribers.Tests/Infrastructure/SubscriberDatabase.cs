using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Newsletter.Sender.Editions;
using Newsletter.TestSupport;
using Npgsql;

namespace Newsletter.Subscribers.Tests.Infrastructure;

/// <summary>
/// A fresh migrated database and the subscriber services registered on it by <see cref="SubscribersServiceCollectionExtensions.AddSubscribers"/>,
/// as the host registers them, without the host.
/// </summary>
public sealed class SubscriberDatabase : IDisposable, IHasDataSource
{
    public const string UnsubscribeKey = "test-unsubscribe-key-0123456789-abcdefghijklmnop";
    public const string SuppressionKey = "test-suppression-key-0123456789-abcdefghijklmnop";

    private readonly ServiceProvider provider;

    private SubscriberDatabase(string connectionString, IDictionary<string, string?>? settings)
    {
        DataSource = NpgsqlDataSource.Create(connectionString);
        var services = new ServiceCollection();
        var values = new Dictionary<string, string?> { ["Subscribers:UnsubscribeKeys:0"] = UnsubscribeKey, ["Subscribers:SuppressionKey"] = SuppressionKey };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) values[k] = v;
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
        services.AddLogging(b => b.AddProvider(Logs));
        services.AddSingleton(DataSource);
        services.AddSingleton(TimeProvider.System);
        services.AddSubscribers();
        services.AddSubscriberDepartures(); // the host's: a departure skips the deliveries it owns
        provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
    }

    public NpgsqlDataSource DataSource { get; }

    public IServiceProvider Services => provider;

    /// <summary>What the services logged.</summary>
    public ListLoggerProvider Logs { get; } = new();

    /// <summary>A fresh database; <paramref name="settings"/> add to or override the configuration (keys as "Section:Name").</summary>
    public static async Task<SubscriberDatabase> CreateAsync(IDictionary<string, string?>? settings = null) => new(await TestDatabases.CreateAsync(), settings);

    public void Dispose()
    {
        provider.Dispose();
        DataSource.Dispose();
    }
}
