using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Newsletter.TestSupport;

/// <summary>Options for <see cref="SmtpSink"/>; each maps to a Postfix smtp-sink(1) flag.</summary>
public sealed class SmtpSinkOptions
{
    /// <summary>Dump every received message to a file in <see cref="SmtpSink.DumpDirectory"/> (-d). On by default; turn off for load tests.</summary>
    public bool Dump { get; init; } = true;

    /// <summary>Commands answered with a 4xx error (-r), comma separated: "mail", "rcpt", "data", "." ... e.g. "rcpt".</summary>
    public string? SoftReject { get; init; }

    /// <summary>Commands answered with a 5xx error (-f), same syntax as <see cref="SoftReject"/>.</summary>
    public string? HardReject { get; init; }

    /// <summary>Commands after which the sink drops the connection without replying (-q), same syntax.</summary>
    public string? DisconnectAfter { get; init; }

    /// <summary>Reply text for soft rejects (-b), e.g. "450 4.2.0 Mailbox busy".</summary>
    public string? SoftRejectReply { get; init; }

    /// <summary>Reply text for hard rejects (-B), e.g. "550 5.1.1 No such user".</summary>
    public string? HardRejectReply { get; init; }

    /// <summary>Do not announce PIPELINING (-p).</summary>
    public bool DisablePipelining { get; init; }

    /// <summary>Do not announce ESMTP: EHLO is refused, HELO only (-e).</summary>
    public bool DisableEsmtp { get; init; }

    /// <summary>Do not announce 8BITMIME (-8).</summary>
    public bool Disable8BitMime { get; init; }

    /// <summary>Port to listen on; 0 (the default) picks a free one. Set it to restart a sink where a client already points.</summary>
    public int Port { get; init; }

    /// <summary>Listen backlog (the last argument of smtp-sink).</summary>
    public int Backlog { get; init; } = 256;

    /// <summary>Any further raw arguments, placed before the address.</summary>
    public IReadOnlyList<string> ExtraArguments { get; init; } = [];
}

/// <summary>One message dumped by smtp-sink.</summary>
/// <param name="Raw">The whole dump file: smtp-sink's own X-* and Received headers, then the message, LF line endings, dot-stuffing removed.</param>
/// <param name="MailFrom">The MAIL FROM argument as smtp-sink logged it (X-Mail-Args), e.g. "&lt;a@example.com&gt; SIZE=123".</param>
/// <param name="Recipients">The RCPT TO arguments (X-Rcpt-Args), one per recipient.</param>
/// <param name="Message">The message as the client sent it (after the sink's headers), LF line endings.</param>
/// <param name="Path">The dump file.</param>
public sealed record SinkMessage(string Raw, string MailFrom, IReadOnlyList<string> Recipients, string Message, string Path)
{
    /// <summary>The message bytes (UTF-8 of <see cref="Message"/>).</summary>
    public byte[] MessageBytes => Encoding.UTF8.GetBytes(Message);
}

/// <summary>
/// Runs Postfix's <c>smtp-sink</c> on 127.0.0.1 on a free port for one test or fixture, with optional fault injection.
/// <example><code>
/// using var sink = SmtpSink.Start();
/// // send to sink.Host:sink.Port
/// var messages = sink.WaitForMessages(1, TimeSpan.FromSeconds(5));
/// </code></example>
/// The process is killed and the dump directory deleted on <see cref="Dispose"/>. Usable as an xunit class fixture
/// (public parameterless constructor starts it with default options).
/// </summary>
public sealed class SmtpSink : IDisposable
{
    /// <summary>Where Debian installs smtp-sink.</summary>
    public const string Executable = "/usr/sbin/smtp-sink";

    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private bool _disposed;

    /// <summary>Starts a sink with default options (dumps on).</summary>
    /// <exception cref="InvalidOperationException">smtp-sink is not installed or did not start listening.</exception>
    public SmtpSink() : this(new SmtpSinkOptions()) { }

    /// <summary>Starts a sink with <paramref name="options"/> and waits until it accepts connections.</summary>
    /// <exception cref="InvalidOperationException">smtp-sink is not installed or did not start listening within 10 s.</exception>
    public SmtpSink(SmtpSinkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException($"{Executable} not found: Postfix's smtp-sink is needed by the mail tests. Run ./test.sh, which installs it (apt-get install postfix).");
        }
        DumpDirectory = Path.Combine(Path.GetTempPath(), "smtp-sink-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(DumpDirectory);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(DumpDirectory, (UnixFileMode)0x1FF); // 0777: smtp-sink drops privileges
        }
        Exception? last = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            Port = options.Port != 0 ? options.Port : FreePort();
            _process = Launch(options);
            try
            {
                WaitUntilListening(TimeSpan.FromSeconds(10));
                return;
            }
            catch (InvalidOperationException e)
            {
                last = e;
                Kill();
            }
        }
        throw new InvalidOperationException("smtp-sink did not start: " + last?.Message, last);
    }

    /// <summary>Starts a sink (same as the constructor).</summary>
    /// <exception cref="InvalidOperationException">smtp-sink is not installed or did not start.</exception>
    public static SmtpSink Start(SmtpSinkOptions? options = null) => new(options ?? new SmtpSinkOptions());

    /// <summary>The options it was started with.</summary>
    public SmtpSinkOptions Options { get; }

    /// <summary>Always 127.0.0.1.</summary>
    public string Host { get; } = "127.0.0.1";

    /// <summary>The TCP port it listens on.</summary>
    public int Port { get; private set; }

    /// <summary>Directory holding one file per received message (when <see cref="SmtpSinkOptions.Dump"/>).</summary>
    public string DumpDirectory { get; }

    /// <summary>The process id (to check it is alive).</summary>
    public int ProcessId => _process.Id;

    /// <summary>What smtp-sink wrote to stderr so far (warnings, fatal errors).</summary>
    public string StandardError
    {
        get { lock (_stderr) return _stderr.ToString(); }
    }

    /// <summary>Number of dump files present now.</summary>
    public int MessageCount => Directory.GetFiles(DumpDirectory).Length;

    /// <summary>Every message dumped so far, oldest first.</summary>
    public IReadOnlyList<SinkMessage> ReadMessages()
    {
        return Directory.GetFiles(DumpDirectory)
            .Select(p => new FileInfo(p))
            .OrderBy(f => f.LastWriteTimeUtc).ThenBy(f => f.Name, StringComparer.Ordinal)
            .Select(f => Parse(f.FullName, File.ReadAllText(f.FullName, Encoding.UTF8)))
            .ToList();
    }

    /// <summary>Waits until at least <paramref name="count"/> messages were dumped, then returns them all, oldest first.</summary>
    /// <exception cref="TimeoutException">Fewer messages arrived, or their dumps were not complete, within <paramref name="timeout"/>.</exception>
    public IReadOnlyList<SinkMessage> WaitForMessages(int count, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        while (MessageCount < count)
        {
            if (sw.Elapsed > timeout) throw new TimeoutException($"smtp-sink received {MessageCount} of {count} messages within {timeout}. stderr: {StandardError}");
            Thread.Sleep(10);
        }
        // A dump file is created with the transaction and filled as smtp-sink's buffer fills, so a file may exist, empty or
        // half-written, while the client still waits for a reply (on a busy machine, for longer than any fixed pause).
        // A finished dump ends with the message's last line and an empty line (see "DUMP FILE FORMAT" in smtp-sink(1)):
        // wait until every file ends so and no file grew for 20 ms.
        long before = -1;
        while (true)
        {
            var files = Directory.GetFiles(DumpDirectory).Select(f => new FileInfo(f)).ToList();
            var total = files.Sum(f => f.Length);
            if (total == before && files.All(EndsWithEmptyLine)) break;
            if (sw.Elapsed > timeout)
                throw new TimeoutException($"smtp-sink's dumps of {files.Count} messages were not complete within {timeout}. stderr: {StandardError}");
            before = total;
            Thread.Sleep(20);
        }
        return ReadMessages();
    }

    private static bool EndsWithEmptyLine(FileInfo file)
    {
        try
        {
            if (file.Length < 2) return false;
            using var stream = file.OpenRead();
            stream.Seek(-2, SeekOrigin.End);
            return stream.ReadByte() == '\n' && stream.ReadByte() == '\n';
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Deletes the dumped messages.</summary>
    public void ClearMessages()
    {
        foreach (var f in Directory.GetFiles(DumpDirectory)) File.Delete(f);
    }

    /// <summary>Kills smtp-sink and deletes the dump directory.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Kill();
        try { Directory.Delete(DumpDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException) { }
        _process.Dispose();
    }

    private Process Launch(SmtpSinkOptions o)
    {
        var psi = new ProcessStartInfo(Executable) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        if (Environment.UserName == "root" || GetUid() == 0)
        {
            psi.ArgumentList.Add("-u");
            psi.ArgumentList.Add("nobody");
        }
        if (o.Dump)
        {
            psi.ArgumentList.Add("-d");
            psi.ArgumentList.Add(Path.Combine(DumpDirectory, "m."));
        }
        void Opt(string flag, string? value)
        {
            if (value is null) return;
            psi.ArgumentList.Add(flag);
            psi.ArgumentList.Add(value);
        }
        Opt("-r", o.SoftReject);
        Opt("-f", o.HardReject);
        Opt("-q", o.DisconnectAfter);
        Opt("-b", o.SoftRejectReply);
        Opt("-B", o.HardRejectReply);
        if (o.DisablePipelining) psi.ArgumentList.Add("-p");
        if (o.DisableEsmtp) psi.ArgumentList.Add("-e");
        if (o.Disable8BitMime) psi.ArgumentList.Add("-8");
        foreach (var a in o.ExtraArguments) psi.ArgumentList.Add(a);
        psi.ArgumentList.Add("127.0.0.1:" + Port);
        psi.ArgumentList.Add(o.Backlog.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var p = Process.Start(psi) ?? throw new InvalidOperationException("Could not start " + Executable);
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_stderr) _stderr.AppendLine(e.Data); };
        p.OutputDataReceived += (_, _) => { };
        p.BeginErrorReadLine();
        p.BeginOutputReadLine();
        return p;
    }

    private void WaitUntilListening(TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < timeout)
        {
            if (_process.HasExited) throw new InvalidOperationException($"smtp-sink exited with code {_process.ExitCode}: {StandardError}");
            try
            {
                using var probe = new TcpClient();
                probe.Connect(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                Thread.Sleep(20);
            }
        }
        throw new InvalidOperationException($"smtp-sink did not listen on port {Port} within {timeout}: {StandardError}");
    }

    private static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    private static int GetUid()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("Uid:", StringComparison.Ordinal)) return int.Parse(line.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        catch (IOException) { }
        return -1;
    }

    private static SinkMessage Parse(string path, string raw)
    {
        var mailFrom = "";
        var rcpts = new List<string>();
        var pos = 0;
        while (pos < raw.Length)
        {
            var eol = raw.IndexOf('\n', pos);
            if (eol < 0) break;
            var line = raw[pos..eol];
            if (line.StartsWith("X-Mail-Args: ", StringComparison.Ordinal)) mailFrom = line[13..];
            else if (line.StartsWith("X-Rcpt-Args: ", StringComparison.Ordinal)) rcpts.Add(line[13..]);
            else if (line.StartsWith("Received: from ", StringComparison.Ordinal))
            {
                // The sink's Received header and its continuation lines end the preamble.
                pos = eol + 1;
                while (pos < raw.Length && raw[pos] is '\t' or ' ')
                {
                    var next = raw.IndexOf('\n', pos);
                    pos = next < 0 ? raw.Length : next + 1;
                }
                break;
            }
            else if (!line.StartsWith("X-", StringComparison.Ordinal)) break;
            pos = eol + 1;
        }
        // smtp-sink ends each dump with an empty line of its own.
        var end = raw.Length;
        if (end > pos && raw[end - 1] == '\n') end--;
        return new SinkMessage(raw, mailFrom, rcpts, raw[pos..end], path);
    }
}
