using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Newsletter.TestSupport;

/// <summary>
/// Debian's Prometheus (<c>/usr/bin/prometheus</c>) on a free loopback port, with a configuration of its own in a
/// temporary folder that scrapes one target every second; its HTTP API answers instant queries. Dispose stops it and
/// deletes the folder.
/// </summary>
public sealed class PrometheusServer : IDisposable
{
    public const string Binary = "/usr/bin/prometheus";
    private readonly Process process;
    private readonly string directory;
    private readonly StringBuilder output = new();
    private readonly HttpClient http;

    private PrometheusServer(Process process, string directory, int port)
    {
        this.process = process;
        this.directory = directory;
        BaseUrl = new Uri($"http://127.0.0.1:{port}");
        http = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(5) };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Uri BaseUrl { get; }

    public string Output { get { lock (output) return output.ToString(); } }

    /// <summary>Starts Prometheus scraping <paramref name="target"/> (host:port) every second, with a bearer token when given.</summary>
    public static async Task<PrometheusServer> StartAsync(string target, string? bearerToken = null, string metricsPath = "/metrics")
    {
        if (!File.Exists(Binary)) throw new InvalidOperationException($"{Binary} is missing: ./test.sh installs Debian's prometheus package");
        var directory = Directory.CreateTempSubdirectory("newsletter-prometheus-").FullName;
        var authorization = bearerToken is null ? "" : $"    authorization:\n      type: Bearer\n      credentials: '{bearerToken}'\n";
        var config = Path.Combine(directory, "prometheus.yml");
        await File.WriteAllTextAsync(config,
            $"global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: newsletter\n    metrics_path: {metricsPath}\n{authorization}"
            + $"    static_configs:\n      - targets: ['{target}']\n");
        var port = FreePort();
        var info = new ProcessStartInfo(Binary) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = directory };
        foreach (var a in new[]
                 {
                     "--config.file=" + config, "--web.listen-address=127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture),
                     "--storage.tsdb.path=" + Path.Combine(directory, "data"), "--log.level=warn",
                 })
            info.ArgumentList.Add(a);
        var server = new PrometheusServer(Process.Start(info)!, directory, port);
        var ready = await Eventually.TrueAsync(async () =>
        {
            if (server.process.HasExited) return true;
            try
            {
                using var response = await server.http.GetAsync(new Uri("/-/ready", UriKind.Relative));
                return response.IsSuccessStatusCode;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100));
        if (!ready || server.process.HasExited)
        {
            var log = server.Output;
            server.Dispose();
            throw new InvalidOperationException("prometheus did not become ready:\n" + log);
        }
        return server;
    }

    /// <summary>An instant query (<c>/api/v1/query</c>); the first sample's value, or null when the result is empty.</summary>
    public async Task<double?> QueryAsync(string promql)
    {
        using var response = await http.GetAsync(new Uri("/api/v1/query?query=" + Uri.EscapeDataString(promql), UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"query {promql}: {(int)response.StatusCode} {body}");
        using var json = JsonDocument.Parse(body);
        var result = json.RootElement.GetProperty("data").GetProperty("result");
        if (result.GetArrayLength() == 0) return null;
        return double.Parse(result[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
    }

    /// <summary>The health of the scrape target as Prometheus saw it (<c>/api/v1/targets</c>): "up", "down" or "unknown", with the last error.</summary>
    public async Task<string> TargetHealthAsync()
    {
        using var response = await http.GetAsync(new Uri("/api/v1/targets", UriKind.Relative));
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var targets = json.RootElement.GetProperty("data").GetProperty("activeTargets");
        if (targets.GetArrayLength() == 0) return "no target";
        return targets[0].GetProperty("health").GetString() + " " + targets[0].GetProperty("lastError").GetString();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
        process.Dispose();
        http.Dispose();
        try { Directory.Delete(directory, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
