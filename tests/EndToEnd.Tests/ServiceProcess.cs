using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Newsletter.TestSupport;

namespace Newsletter.EndToEnd.Tests;

/// <summary>
/// The real service as a separate process (<c>dotnet Newsletter.Sender.dll</c>), configured through environment
/// variables exactly as an operator would. Captures its output; Dispose stops it (or <see cref="Kill"/> it hard).
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    public const string ApiKey = "e2e-api-key-0123456789-abcdefghijklmnopqrstuvwxyz";
    private readonly Process process;
    private readonly StringBuilder output = new();
    private bool disposed;

    private ServiceProcess(Process process, Uri baseUrl)
    {
        this.process = process;
        BaseUrl = baseUrl;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Uri BaseUrl { get; }

    public string Output { get { lock (output) return output.ToString(); } }

    public bool HasExited => process.HasExited;

    public int ExitCode => process.ExitCode;

    /// <summary>The service's dll, built beside the tests (the test project references it).</summary>
    public static string DllPath()
    {
        var beside = Path.Combine(AppContext.BaseDirectory, "Newsletter.Sender.dll");
        if (File.Exists(beside)) return beside;
        throw new FileNotFoundException("Newsletter.Sender.dll not found beside the tests", beside);
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Default settings for a service on <paramref name="port"/> talking to the given database.</summary>
    public static Dictionary<string, string?> Settings(string connectionString, int port) => new()
    {
        ["ConnectionStrings__Newsletter"] = connectionString,
        ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        ["Site__BaseUrl"] = $"http://127.0.0.1:{port}",
        ["Site__ComparisonBaseUrl"] = "https://compare.example.com",
        ["Newsletter__FromAddress"] = "verdicts@news.example.com",
        ["Newsletter__PostalAddress"] = "1 Test Street, Testville 12345",
        ["Api__Keys__0"] = ApiKey,
        ["Subscribers__UnsubscribeKeys__0"] = "e2e-unsubscribe-key-0123456789-abcdefghijklmnop",
        ["Subscribers__SuppressionKey"] = "e2e-suppression-key-0123456789-abcdefghijklmnop",
        ["Delivery__PollInterval"] = "00:00:00.200",
        ["Logging__LogLevel__Default"] = "Warning",
        ["Smtp__Mode"] = "Pickup",
        ["Smtp__PickupDirectory"] = Path.Combine(Path.GetTempPath(), "newsletter-e2e-outbox-" + port),
    };

    /// <summary>Runs a one-shot command (migrate, import, ...) to completion; returns its exit code and output.</summary>
    public static async Task<(int Code, string Output)> RunCommandAsync(IDictionary<string, string?> environment, params string[] args)
    {
        var info = StartInfo(environment, args);
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await p.WaitForExitAsync(timeout.Token);
        return (p.ExitCode, (await stdout) + (await stderr));
    }

    /// <summary>
    /// Runs a one-shot command with only <paramref name="environment"/> set (plus what <c>dotnet</c> itself needs):
    /// nothing inherited from the test run.
    /// </summary>
    public static async Task<(int Code, string Output)> RunCommandInCleanEnvironmentAsync(IDictionary<string, string?> environment, params string[] args)
    {
        var info = StartInfo(environment, args);
        foreach (var key in info.Environment.Keys.ToList())
            if (!environment.ContainsKey(key) && key is not ("PATH" or "HOME" or "TMPDIR") && !key.StartsWith("DOTNET_", StringComparison.Ordinal))
                info.Environment.Remove(key);
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await p.WaitForExitAsync(timeout.Token);
        return (p.ExitCode, (await stdout) + (await stderr));
    }

    /// <summary>Starts the service and waits until /healthz answers 200 (or the process exits).</summary>
    public static async Task<ServiceProcess> StartAsync(IDictionary<string, string?> environment, TimeSpan? timeout = null)
    {
        var port = new Uri(environment["Site__BaseUrl"]!).Port;
        var process = Process.Start(StartInfo(environment, ["serve"]))!;
        var service = new ServiceProcess(process, new Uri($"http://127.0.0.1:{port}"));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited) throw new InvalidOperationException($"service exited with {process.ExitCode}:\n{service.Output}");
            try
            {
                using var response = await http.GetAsync(new Uri(service.BaseUrl, "/healthz"));
                if (response.IsSuccessStatusCode) return service;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(200);
        }
        await service.DisposeAsync();
        throw new TimeoutException("service did not become healthy:\n" + service.Output);
    }

    private static ProcessStartInfo StartInfo(IDictionary<string, string?> environment, string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory };
        info.ArgumentList.Add(DllPath());
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var (k, v) in environment) info.Environment[k] = v;
        return info;
    }

    /// <summary>SIGTERM (what a deploy or <c>systemctl stop</c> sends); true when the process ended within <paramref name="timeout"/>.</summary>
    public async Task<bool> TerminateAsync(TimeSpan timeout)
    {
        using (var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) } })!)
            await kill.WaitForExitAsync();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>kill -9: no shutdown, no cleanup.</summary>
    public void Kill()
    {
        process.Kill(entireProcessTree: true);
        process.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        // A scenario disposes every service it started, also those a test already stopped.
        if (disposed) return;
        disposed = true;
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
    }
}
