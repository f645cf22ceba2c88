using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Newsletter.TestSupport;

namespace Newsletter.EndToEnd.Tests;

/// <summary>
/// The README's first command as a newcomer runs it: a fresh clone inside a private (0700) directory, as whoever
/// runs the tests (root in CI and in most containers), then a second run that must find the same data.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // run.sh is a bash script
[Trait("Category", "Slow")] // a real service process, real time
public sealed class QuickStartTests
{
    private static readonly TimeSpan StartDeadline = TimeSpan.FromMinutes(6);

    [Fact]
    public async Task Run_sh_works_from_a_clone_in_a_private_directory_and_a_second_run_reuses_the_data()
    {
        var parent = Directory.CreateTempSubdirectory("nl-quickstart-").FullName;
        File.SetUnixFileMode(parent, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var clone = Path.Combine(parent, "newsletter");
        try
        {
            Assert.Equal(0, await RunToEndAsync("git", ["clone", "--quiet", RepositoryRoot.Find(), clone]));
            var port = ServiceProcess.FreePort();
            var baseUrl = new Uri($"http://127.0.0.1:{port}");
            using var http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(10) };

            var first = await StartRunShAsync(clone, port);
            try
            {
                await WaitHealthyAsync(http, first);
                Assert.Contains("is running", first.Output.ToString(), StringComparison.Ordinal);
                using var signup = await http.PostAsync(new Uri("/subscribe", UriKind.Relative),
                    new FormUrlEncodedContent([new("email", "newcomer@example.com")]));
                Assert.Equal(HttpStatusCode.Accepted, signup.StatusCode);
            }
            finally
            {
                await StopAsync(first.Process);
            }
            Assert.False(IsListening(port), "the service still answers after run.sh stopped");

            var secrets = File.ReadAllText(Path.Combine(clone, ".data", "secrets.env"));
            var apiKey = secrets.Split('\n').First(l => l.StartsWith("Api__Keys__0=", StringComparison.Ordinal))["Api__Keys__0=".Length..].Trim();

            var second = await StartRunShAsync(clone, port);
            try
            {
                await WaitHealthyAsync(http, second);
                Assert.Equal(secrets, File.ReadAllText(Path.Combine(clone, ".data", "secrets.env")));
                using var request = new HttpRequestMessage(HttpMethod.Get, "/api/subscribers/newcomer@example.com");
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
                using var lookup = await http.SendAsync(request);
                Assert.Equal(HttpStatusCode.OK, lookup.StatusCode);
                Assert.Contains("pending", await lookup.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }
            finally
            {
                await StopAsync(second.Process);
            }
        }
        finally
        {
            var cluster = Path.Combine(clone, ".data", "postgres");
            if (Directory.Exists(cluster))
            {
                await RunToEndAsync("bash", [Path.Combine(clone, "scripts", "pg.sh"), "stop", cluster]);
                var target = new FileInfo(cluster).LinkTarget;
                if (target is not null && Directory.Exists(target)) Directory.Delete(target, recursive: true);
            }
            Directory.Delete(parent, recursive: true);
        }
    }

    private sealed record RunSh(Process Process, StringBuilder Output);

    private static async Task<RunSh> StartRunShAsync(string clone, int port)
    {
        var info = new ProcessStartInfo("bash", [Path.Combine(clone, "run.sh")])
        {
            WorkingDirectory = Path.GetTempPath(), // run.sh must not depend on the caller's directory
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // The test host's own build variables must not leak into run.sh's build.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToList())
            info.Environment.Remove(key);
        info.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        info.Environment["Site__BaseUrl"] = $"http://127.0.0.1:{port}";
        var process = Process.Start(info)!;
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await Task.Yield();
        return new RunSh(process, output);
    }

    private static async Task WaitHealthyAsync(HttpClient http, RunSh run)
    {
        var deadline = DateTime.UtcNow + StartDeadline;
        while (DateTime.UtcNow < deadline)
        {
            if (run.Process.HasExited) break;
            try
            {
                using var health = await http.GetAsync(new Uri("/healthz", UriKind.Relative));
                if (health.StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(500);
        }
        string log;
        lock (run.Output) log = run.Output.ToString();
        Assert.Fail($"run.sh did not bring the service up (exited: {run.Process.HasExited}):\n{log}");
    }

    /// <summary>Ctrl-C's equivalent for a script: TERM, after which run.sh stops the service and PostgreSQL.</summary>
    private static async Task StopAsync(Process process)
    {
        if (!process.HasExited) await RunToEndAsync("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("run.sh did not stop within 60 s of TERM");
        }
    }

    private static bool IsListening(int port)
    {
        try
        {
            using var client = new System.Net.Sockets.TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    private static async Task<int> RunToEndAsync(string file, string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        await Task.WhenAll(stdout, stderr);
        return process.ExitCode;
    }
}
