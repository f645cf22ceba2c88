using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Newsletter.TestSupport;
using Npgsql;

namespace Newsletter.Sender.Tests.Infrastructure;

/// <summary>
/// The real service (its Program, DI, middleware, endpoints) in memory, on a fresh migrated database, with mail
/// going to a pickup directory of its own. Create with <see cref="CreateAsync"/>.
/// </summary>
public sealed class ServiceFactory : WebApplicationFactory<Program>, IHasDataSource
{
    public const string ApiKey = "test-api-key-0123456789-abcdefghijklmnopqrstuvwxyz";
    public const string UnsubscribeKey = "test-unsubscribe-key-0123456789-abcdefghijklmnop";
    public const string SuppressionKey = "test-suppression-key-0123456789-abcdefghijklmnop";

    private readonly Dictionary<string, string?> settings;

    private ServiceFactory(string connectionString, string outbox, IDictionary<string, string?>? overrides)
    {
        ConnectionString = connectionString;
        OutboxDirectory = outbox;
        settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Newsletter"] = connectionString,
            ["Smtp:Mode"] = "Pickup",
            ["Smtp:PickupDirectory"] = outbox,
            ["Site:BaseUrl"] = "https://news.example.com",
            ["Site:ComparisonBaseUrl"] = "https://compare.example.com",
            ["Newsletter:FromAddress"] = "verdicts@news.example.com",
            ["Newsletter:PostalAddress"] = "1 Test Street, Testville 12345",
            ["Api:Keys:0"] = ApiKey,
            ["Subscribers:UnsubscribeKeys:0"] = UnsubscribeKey,
            ["Subscribers:SuppressionKey"] = SuppressionKey,
            ["Delivery:PollInterval"] = "00:00:00.200",
            ["Schedule:Enabled"] = "false", // the scheduling tests turn it on
        };
        if (overrides is not null)
            foreach (var (k, v) in overrides) settings[k] = v;
    }

    public string ConnectionString { get; }

    public string OutboxDirectory { get; }

    public NpgsqlDataSource DataSource => field ??= NpgsqlDataSource.Create(ConnectionString);

    public static async Task<ServiceFactory> CreateAsync(IDictionary<string, string?>? overrides = null)
    {
        var connectionString = await TestDatabases.CreateAsync();
        var outbox = Path.Combine(Path.GetTempPath(), "newsletter-outbox-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(outbox);
        return new ServiceFactory(connectionString, outbox, overrides);
    }

    /// <summary>A client that sends the API key.</summary>
    public HttpClient CreateApiClient()
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri("https://news.example.com") });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        return client;
    }

    /// <summary>A client without credentials, not following redirects.</summary>
    public HttpClient CreateAnonymousClient()
        => CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri("https://news.example.com") });

    /// <summary>The .eml files written so far.</summary>
    public IReadOnlyList<string> OutboxFiles() => Directory.GetFiles(OutboxDirectory, "*.eml").Order().ToList();

    /// <summary>Waits until the outbox holds at least <paramref name="count"/> messages.</summary>
    public async Task<IReadOnlyList<string>> WaitForMailAsync(int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var files = OutboxFiles();
            if (files.Count >= count || DateTime.UtcNow > deadline) return files;
            await Task.Delay(100);
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in settings) builder.UseSetting(key, value);
        builder.UseEnvironment("Testing");
        // As strict as Development: a scoped service taken from the root provider fails here, not only in ./run.sh.
        builder.UseDefaultServiceProvider(o =>
        {
            o.ValidateScopes = true;
            o.ValidateOnBuild = true;
        });
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            DataSource.Dispose();
            try { Directory.Delete(OutboxDirectory, recursive: true); } catch (IOException) { }
        }
    }
}
