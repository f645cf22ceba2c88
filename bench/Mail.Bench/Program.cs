using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Newsletter.Mail;
using Newsletter.Mail.Dkim;
using Newsletter.Mail.Mime;
using Newsletter.Mail.Smtp;

// Mail.Bench: our SmtpConnectionPool against Postfix's smtp-source, both sending 40 KB messages to smtp-sink.
// Usage: dotnet run -c Release --project bench/Mail.Bench -- [--messages N]
var messages = 2500;
for (var i = 0; i < args.Length - 1; i++)
{
    if (args[i] == "--messages") messages = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
}
const string SinkPath = "/usr/sbin/smtp-sink";
const string SourcePath = "/usr/sbin/smtp-source";
if (!File.Exists(SinkPath) || !File.Exists(SourcePath))
{
    Console.Error.WriteLine("smtp-sink/smtp-source not found: run ./test.sh (installs postfix).");
    return 2;
}

var port = FreePort();
var sinkInfo = new ProcessStartInfo(SinkPath) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
if (Environment.UserName == "root") { sinkInfo.ArgumentList.Add("-u"); sinkInfo.ArgumentList.Add("nobody"); }
sinkInfo.ArgumentList.Add("127.0.0.1:" + port);
sinkInfo.ArgumentList.Add("1000");
using var sink = Process.Start(sinkInfo)!;
sink.BeginErrorReadLine();
sink.BeginOutputReadLine();
try
{
    WaitListening(port);
    var body = BuildMessage();
    Console.WriteLine($"Mail.Bench: {messages} messages of {body.Length} octets per run (best of 3 interleaved runs), smtp-sink on 127.0.0.1:{port}, {Environment.ProcessorCount} cores");
    Console.WriteLine();

    // Warm-up (JIT, connection setup).
    await RunOurs(port, body, Math.Min(500, messages), 16, null);
    RunSource(port, Math.Min(200, messages), 1, body.Length);

    using var key = RSA.Create(2048);
    var signer = new DkimSigner("verdicts.example", "bench", key);

    for (var k = 0; k < 20; k++) signer.Sign(body);
    var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
    var signSw = Stopwatch.StartNew();
    for (var k = 0; k < 200; k++) signer.Sign(body);
    var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu0;
    Console.WriteLine($"DKIM sign (body hash + RSA-2048), one thread: {signSw.Elapsed.TotalMilliseconds / 200:F2} ms wall, {cpu.TotalMilliseconds / 200:F2} ms CPU per message");
    if (File.Exists("/proc/loadavg")) Console.WriteLine("load average (machine is shared): " + File.ReadAllText("/proc/loadavg").Trim());
    Console.WriteLine();

    // The machine is shared: each scenario runs three times, interleaved, and the better run counts (for both sides alike).
    double src1 = 0, our1 = 0, src16 = 0, our16 = 0, our16Dkim = 0;
    for (var round = 0; round < 3; round++)
    {
        src1 = Math.Max(src1, RunSource(port, messages, 1, body.Length));
        our1 = Math.Max(our1, await RunOurs(port, body, messages, 1, null));
        src16 = Math.Max(src16, RunSource(port, messages, 16, body.Length));
        our16 = Math.Max(our16, await RunOurs(port, body, messages, 16, null));
        our16Dkim = Math.Max(our16Dkim, await RunOurs(port, body, messages, 16, signer));
    }

    Console.WriteLine($"{"scenario",-44} {"msgs/s",10} {"ratio",8} {"target",8}");
    Row("smtp-source -d -s 1", src1, null, null);
    Row("ours, 1 connection", our1, our1 / src1, 0.9);
    Row("smtp-source -d -s 16", src16, null, null);
    Row("ours, 16 connections", our16, our16 / src16, 0.8);
    Row("ours, 16 connections, DKIM rsa-sha256 2048", our16Dkim, our16Dkim / src16, 0.6);
    return 0;
}
finally
{
    sink.Kill();
    sink.WaitForExit();
}

static void Row(string name, double rate, double? ratio, double? target) =>
    Console.WriteLine($"{name,-44} {rate,10:F0} {(ratio is null ? "" : ratio.Value.ToString("F2", CultureInfo.InvariantCulture)),8} {(target is null ? "" : ">= " + target.Value.ToString("F1", CultureInfo.InvariantCulture)),8}{(ratio is not null && ratio < target ? "  BELOW TARGET" : "")}");

static double RunSource(int port, int count, int sessions, int length)
{
    // -d: keep the connection for the next message; -s: parallel sessions; -m: total messages; -l: message size.
    var psi = new ProcessStartInfo(SourcePath) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
    foreach (var a in new[] { "-d", "-s", sessions.ToString(CultureInfo.InvariantCulture), "-m", count.ToString(CultureInfo.InvariantCulture), "-l", length.ToString(CultureInfo.InvariantCulture), "-f", "bounce@verdicts.example", "-t", "reader@example.com", "127.0.0.1:" + port })
    {
        psi.ArgumentList.Add(a);
    }
    var sw = Stopwatch.StartNew();
    using var p = Process.Start(psi)!;
    var err = p.StandardError.ReadToEndAsync();
    p.StandardOutput.ReadToEnd();
    p.WaitForExit();
    sw.Stop();
    if (p.ExitCode != 0) throw new InvalidOperationException("smtp-source failed: " + err.Result);
    return count / sw.Elapsed.TotalSeconds;
}

static async Task<double> RunOurs(int port, byte[] message, int count, int connections, DkimSigner? signer)
{
    await using var pool = new SmtpConnectionPool(new SmtpClientOptions
    {
        Host = "127.0.0.1",
        Port = port,
        Security = SmtpSecurity.None,
        MaxConnections = connections,
        MaxMessagesPerConnection = 1_000_000,
    });
    var envelope = new SmtpEnvelope("bounce@verdicts.example", "reader@example.com");
    var next = 0;
    var sw = Stopwatch.StartNew();
    var workers = Enumerable.Range(0, connections).Select(_ => Task.Run(async () =>
    {
        while (Interlocked.Increment(ref next) <= count)
        {
            var bytes = signer is null ? message : signer.Sign(message);
            await pool.SendAsync(envelope, bytes, CancellationToken.None).ConfigureAwait(false);
        }
    })).ToArray();
    await Task.WhenAll(workers);
    sw.Stop();
    return count / sw.Elapsed.TotalSeconds;
}

static byte[] BuildMessage()
{
    var rnd = new Random(7);
    var words = new[] { "verdict", "tool", "model", "latency", "price", "weekly", "the", "a", "is", "fast", "accurate", "über", "naïve" };
    var text = new System.Text.StringBuilder();
    while (text.Length < 14_500)
    {
        for (var w = 0; w < 12; w++) text.Append(words[rnd.Next(words.Length)]).Append(' ');
        text.Append('\n');
    }
    var html = new System.Text.StringBuilder("<html><body>");
    while (html.Length < 19_500) html.Append("<p>").Append(words[rnd.Next(words.Length)]).Append(" &amp; ").Append(words[rnd.Next(words.Length)]).Append("</p>\n");
    html.Append("</body></html>");
    var m = new EmailMessage
    {
        From = new Mailbox("Weekly AI Tool Verdicts", EmailAddress.Parse("news@verdicts.example")),
        Subject = "Your weekly verdicts",
        TextBody = text.ToString(),
        HtmlBody = html.ToString(),
    };
    m.To.Add(new Mailbox(EmailAddress.Parse("reader@example.com")));
    m.Headers.Add("List-Unsubscribe", "<https://verdicts.example/u/abc>");
    m.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
    return m.ToArray();
}

static int FreePort()
{
    var l = new TcpListener(IPAddress.Loopback, 0);
    l.Start();
    var p = ((IPEndPoint)l.LocalEndpoint).Port;
    l.Stop();
    return p;
}

static void WaitListening(int port)
{
    for (var i = 0; i < 200; i++)
    {
        try
        {
            using var c = new TcpClient();
            c.Connect(IPAddress.Loopback, port);
            return;
        }
        catch (SocketException)
        {
            Thread.Sleep(25);
        }
    }
    throw new InvalidOperationException("smtp-sink did not start");
}
