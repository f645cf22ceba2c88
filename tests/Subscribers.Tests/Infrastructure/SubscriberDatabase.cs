using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
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

    private SubscriberDatabase(string connectionString)
    {
        DataSource = NpgsqlDataSource.Create(connectionString);
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Subscribers:UnsubscribeKeys:0"] = UnsubscribeKey, ["Subscribers:SuppressionKey"] = SuppressionKey })
            .Build());
        services.AddSingleton(DataSource);
        services.AddSingleton(TimeProvider.System);
        services.AddSubscribers();
        provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
    }

    public NpgsqlDataSource DataSource { get; }

    public IServiceProvider Services => provider;

    public static async Task<SubscriberDatabase> CreateAsync() => new(await TestDatabases.CreateAsync());

    public void Dispose()
    {
        provider.Dispose();
        DataSource.Dispose();
    }
}
