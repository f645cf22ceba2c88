using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Newsletter.TestSupport;
using Npgsql;

namespace Newsletter.EndToEnd.Tests;

/// <summary>
/// Shared set-up for the delivery engine's process tests: a database with N confirmed subscribers and one fresh
/// comparison, settings pointing at an smtp-sink, and ways to trigger, watch and audit an edition.
/// </summary>
public sealed class EngineScenario : IAsyncDisposable
{
    private readonly List<ServiceProcess> services = [];

    private EngineScenario(string connectionString, NpgsqlDataSource db)
    {
        ConnectionString = connectionString;
        Db = db;
    }

    public string ConnectionString { get; }

    public NpgsqlDataSource Db { get; }

    /// <summary>A scenario on a fresh database of the shared test server, or on <paramref name="connectionString"/> (migrated).</summary>
    public static async Task<EngineScenario> CreateAsync(int subscribers, string? connectionString = null)
    {
        connectionString ??= await TestDatabases.CreateAsync();
        var db = NpgsqlDataSource.Create(connectionString);
        await using (var c = db.CreateCommand(
            """
            insert into subscribers (email, email_key, status, confirmed_at)
            select 'reader' || g || '@example.com', 'reader' || g || '@example.com', 'confirmed', now() from generate_series(1, $1) g
            """))
        {
            c.Parameters.AddWithValue(subscribers);
            await c.ExecuteNonQueryAsync();
        }
        return new EngineScenario(connectionString, db);
    }

    /// <summary>Settings for one instance sending to <paramref name="sinkPort"/>, fast retries and leases for tests.</summary>
    public Dictionary<string, string?> Settings(int sinkPort, string instance)
    {
        // The application name tells this instance's database sessions apart (see WaitForSessionsGoneAsync).
        var environment = ServiceProcess.Settings(
            new NpgsqlConnectionStringBuilder(ConnectionString) { ApplicationName = instance }.ConnectionString, ServiceProcess.FreePort());
        environment["Smtp__Mode"] = "Smtp";
        environment["Smtp__Host"] = "127.0.0.1";
        environment["Smtp__Port"] = sinkPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        environment["Smtp__Security"] = "None";
        environment["Smtp__MaxConnections"] = "8";
        environment["Delivery__BatchSize"] = "50";
        environment["Delivery__ClaimLease"] = "00:00:05";
        environment["Delivery__RetryBaseDelay"] = "00:00:01";
        environment["Delivery__ProbeInterval"] = "00:00:01";
        environment["Service__InstanceName"] = instance;
        environment["Schedule__Enabled"] = "false";
        return environment;
    }

    public async Task<ServiceProcess> StartAsync(Dictionary<string, string?> environment)
    {
        var service = await ServiceProcess.StartAsync(environment);
        services.Add(service);
        return service;
    }

    /// <summary>Posts one comparison published a minute ago (a small edition) through the API of <paramref name="service"/>.</summary>
    public static async Task PostComparisonAsync(ServiceProcess service, string sample = "01-codestral-2-vs-mistral-8x24b.json")
    {
        using var api = Api(service);
        var json = System.Text.RegularExpressions.Regex.Replace(
            await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Find(), "samples", "comparisons", sample)),
            "\"publishedAt\": \"[^\"]*\"", "\"publishedAt\": \"" + DateTimeOffset.UtcNow.AddMinutes(-1).ToString("O") + "\"");
        using var response = await api.PostAsync("/api/comparisons", new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    public static async Task<long> SendNowAsync(ServiceProcess service)
    {
        using var api = Api(service);
        using var response = await api.PostAsync("/api/editions/send-now", null);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var edition = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("sending", edition.GetProperty("state").GetString());
        return edition.GetProperty("id").GetInt64();
    }

    public static HttpClient Api(ServiceProcess service)
    {
        var api = new HttpClient { BaseAddress = service.BaseUrl };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ServiceProcess.ApiKey);
        return api;
    }

    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var command = Db.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>
    /// Waits until no database session of <paramref name="instance"/> is left: after a kill, what its sessions were
    /// running has committed or rolled back. Returns false on timeout.
    /// </summary>
    public Task<bool> WaitForSessionsGoneAsync(string instance, TimeSpan timeout)
        => Eventually.TrueAsync(async () =>
        {
            await using var command = Db.CreateCommand("select count(*) from pg_stat_activity where application_name = $1");
            command.Parameters.AddWithValue(instance);
            return (long)(await command.ExecuteScalarAsync())! == 0;
        }, timeout);

    /// <summary>Waits until the edition reaches <paramref name="state"/>; returns false on timeout.</summary>
    public async Task<bool> WaitForEditionAsync(long id, string state, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await ScalarAsync<string>($"select state from editions where id = {id}") == state) return true;
            await Task.Delay(250);
        }
        return false;
    }

    /// <summary>
    /// How many copies each recipient got, read from smtp-sink dump files (only the sink's own header lines at the
    /// top of each file are read: X-Rcpt-Args).
    /// </summary>
    public static Dictionary<string, int> CountByRecipient(IEnumerable<string> dumpDirectories)
    {
        var counts = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var buffer = new byte[2048];
        foreach (var file in dumpDirectories.SelectMany(Directory.GetFiles))
        {
            using var stream = File.OpenRead(file);
            var read = stream.Read(buffer, 0, buffer.Length);
            foreach (var line in Encoding.ASCII.GetString(buffer, 0, read).Split('\n'))
            {
                if (!line.StartsWith("X-Rcpt-Args: ", StringComparison.Ordinal)) continue;
                var address = line[13..].Trim().TrimStart('<').Split('>')[0];
                counts[address] = counts.GetValueOrDefault(address) + 1;
            }
        }
        return counts;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var s in services) await s.DisposeAsync();
        await Db.DisposeAsync();
    }
}
