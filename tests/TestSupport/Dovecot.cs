using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Newsletter.TestSupport;

/// <summary>
/// A private Dovecot IMAP server (Debian's dovecot-imapd) on 127.0.0.1 and a free port, with its own configuration, run
/// directory, log and one Maildir, for the bounce mailbox tests: one user (<see cref="Username"/>, any password is
/// <see cref="Password"/>), no TLS. As root its processes and the mail run as <c>nobody</c>; otherwise as the
/// current user. Messages are put into the Maildir by writing files (<see cref="Deliver"/>). Stopped on Dispose.
/// </summary>
public sealed class Dovecot : IDisposable
{
    /// <summary>Where Debian installs the server.</summary>
    public const string Executable = "/usr/sbin/dovecot";

    public const string Username = "bounces";
    public const string Password = "bounce-mailbox-secret";

    private readonly string root;
    private readonly StringBuilder output = new();
    private Process? process;
    private int counter;

    public Dovecot()
    {
        if (!File.Exists(Executable))
            throw new InvalidOperationException($"{Executable} not found: the bounce mailbox tests need Dovecot. Run ./test.sh, which installs it (apt-get install dovecot-imapd).");
        root = Path.Combine(Path.GetTempPath(), "dovecot-" + Guid.NewGuid().ToString("N")[..12]);
        foreach (var dir in (string[])["run", "state", "home", "Maildir", "Maildir/cur", "Maildir/new", "Maildir/tmp"])
            Directory.CreateDirectory(Path.Combine(root, dir));
        var (user, group) = RunAs();
        // Open to the unprivileged user Dovecot runs as when we are root: it renames and creates files in here.
        foreach (var dir in Directory.GetDirectories(root, "*", SearchOption.AllDirectories).Append(root))
            SetMode(dir, (UnixFileMode)0x1FF);
        Port = FreePort();
        File.WriteAllText(ConfigFile, $$"""
            base_dir = {{root}}/run
            state_dir = {{root}}/state
            log_path = {{root}}/dovecot.log
            protocols = imap
            listen = 127.0.0.1
            ssl = no
            disable_plaintext_auth = no
            auth_mechanisms = plain login
            default_internal_user = {{user}}
            default_internal_group = {{group}}
            default_login_user = {{user}}
            first_valid_uid = 0
            mail_location = maildir:{{root}}/Maildir
            mail_uid = {{user}}
            mail_gid = {{group}}
            passdb {
              driver = static
              args = password={{Password}}
            }
            userdb {
              driver = static
              args = uid={{user}} gid={{group}} home={{root}}/home
            }
            service imap-login {
              chroot =
              inet_listener imap {
                address = 127.0.0.1
                port = {{Port}}
              }
              inet_listener imaps {
                port = 0
              }
            }
            service anvil {
              chroot =
            }
            """);
        Start();
    }

    /// <summary>Always 127.0.0.1.</summary>
    public string Host { get; } = "127.0.0.1";

    /// <summary>The IMAP port (the same across <see cref="Stop"/> and <see cref="Start"/>).</summary>
    public int Port { get; }

    public string ConfigFile => Path.Combine(root, "dovecot.conf");

    /// <summary>Dovecot's log so far.</summary>
    public string Log => File.Exists(Path.Combine(root, "dovecot.log")) ? File.ReadAllText(Path.Combine(root, "dovecot.log")) : "";

    /// <summary>Starts the server (again) and waits until it accepts connections.</summary>
    public void Start()
    {
        if (process is { HasExited: false }) return;
        var psi = new ProcessStartInfo(Executable) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add("-F");
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(ConfigFile);
        process = Process.Start(psi) ?? throw new InvalidOperationException("dovecot did not start");
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            try
            {
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                socket.Connect(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                Thread.Sleep(50);
            }
            catch (SocketException e)
            {
                string text;
                lock (output) text = output.ToString();
                throw new InvalidOperationException($"dovecot did not listen on {Port}: {e.Message}\n{text}\n{Log}");
            }
        }
    }

    /// <summary>Stops the server (its master and every child) and waits until the port is closed.</summary>
    public void Stop()
    {
        if (process is null) return;
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException) { }
        process.Dispose();
        process = null;
        // The master's children (imap, imap-login) may outlive it for a moment; connections must be refused before we return.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                socket.Connect(IPAddress.Loopback, Port);
                Thread.Sleep(50);
            }
            catch (SocketException)
            {
                return;
            }
        }
    }

    /// <summary>Puts a message into a folder ("INBOX" or another) as a delivery agent would: written in tmp/, renamed into new/.</summary>
    public void Deliver(string folder, byte[] message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var dir = FolderDirectory(folder);
        foreach (var sub in (string[])["cur", "new", "tmp"])
        {
            Directory.CreateDirectory(Path.Combine(dir, sub));
            SetMode(Path.Combine(dir, sub), (UnixFileMode)0x1FF);
        }
        var name = $"{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}.M{Interlocked.Increment(ref counter)}P{Environment.ProcessId}.{Guid.NewGuid():N}";
        var tmp = Path.Combine(dir, "tmp", name);
        File.WriteAllBytes(tmp, message);
        SetMode(tmp, (UnixFileMode)0x1B6); // 0666
        File.Move(tmp, Path.Combine(dir, "new", name));
    }

    /// <summary>Messages in a folder now (new and cur, not counting ones flagged deleted).</summary>
    public int Count(string folder) => Files(folder).Count;

    /// <summary>The messages in a folder now (raw bytes).</summary>
    public IReadOnlyList<byte[]> Messages(string folder) => Files(folder).Select(File.ReadAllBytes).ToList();

    private List<string> Files(string folder)
    {
        var dir = FolderDirectory(folder);
        // Maildir info ":2,FLAGS": T is \Deleted, waiting for an expunge.
        return ((string[])["new", "cur"]).Select(s => Path.Combine(dir, s)).Where(Directory.Exists).SelectMany(Directory.GetFiles)
            .Where(f => Path.GetFileName(f).Split(":2,") is not [_, var flags] || !flags.Contains('T', StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).ToList();
    }

    private string FolderDirectory(string folder)
        => string.Equals(folder, "INBOX", StringComparison.OrdinalIgnoreCase) ? Path.Combine(root, "Maildir") : Path.Combine(root, "Maildir", "." + folder);

    public void Dispose()
    {
        Stop();
        try { Directory.Delete(root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static void SetMode(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, mode);
    }

    private static (string User, string Group) RunAs()
    {
        if (Environment.UserName == "root" || GetUid() == 0)
            return ("nobody", File.ReadAllText("/etc/group").Contains("\nnogroup:", StringComparison.Ordinal) ? "nogroup" : "nobody");
        var group = Run("id", "-gn");
        return (Environment.UserName, group);
    }

    private static uint GetUid() => uint.TryParse(Run("id", "-u"), out var uid) ? uid : uint.MaxValue;

    private static string Run(string file, string args)
    {
        using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, UseShellExecute = false })!;
        var text = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        return text;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
