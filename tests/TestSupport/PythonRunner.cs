using System.Diagnostics;
using System.Text;

namespace Newsletter.TestSupport;

/// <summary>
/// Runs Debian's system Python (<c>/usr/bin/python3</c>, the one that can import python3-dkim; the pyenv python3 on
/// PATH cannot) with a script, optional stdin and a timeout.
/// </summary>
public static class PythonRunner
{
    /// <summary>The system interpreter.</summary>
    public const string Executable = "/usr/bin/python3";

    /// <summary>The result of a run.</summary>
    /// <param name="ExitCode">Process exit code.</param>
    /// <param name="StandardOutput">stdout, UTF-8.</param>
    /// <param name="StandardError">stderr, UTF-8.</param>
    public sealed record Result(int ExitCode, string StandardOutput, string StandardError);

    /// <summary>Runs <paramref name="script"/> (passed with -c) with <paramref name="arguments"/> as sys.argv[1:], writing <paramref name="stdin"/> to its input.</summary>
    /// <exception cref="InvalidOperationException">/usr/bin/python3 is missing (run ./test.sh) or the script timed out.</exception>
    public static Result Run(string script, byte[]? stdin = null, IEnumerable<string>? arguments = null, TimeSpan? timeout = null)
    {
        if (!File.Exists(Executable)) throw new InvalidOperationException($"{Executable} not found. Run ./test.sh, which installs python3 and python3-dkim.");
        var psi = new ProcessStartInfo(Executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        psi.Environment["PYTHONIOENCODING"] = "utf-8";
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script);
        foreach (var a in arguments ?? []) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("Could not start " + Executable);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (stdin is not null) p.StandardInput.BaseStream.Write(stdin);
        p.StandardInput.Close();
        if (!p.WaitForExit((int)(timeout ?? TimeSpan.FromSeconds(30)).TotalMilliseconds))
        {
            p.Kill();
            throw new InvalidOperationException("python3 timed out running: " + script[..Math.Min(200, script.Length)]);
        }
        return new Result(p.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }

    /// <summary>
    /// Verifies a DKIM-signed message with python3-dkim and with MimeKit's DkimVerifier, answering DNS with
    /// <paramref name="publicKeyRecord"/> (e.g. "v=DKIM1; k=rsa; p=MIIB..."). Returns (verified, diagnostic output);
    /// throws <see cref="InvalidOperationException"/> when the two verifiers disagree.
    /// </summary>
    /// <exception cref="InvalidOperationException">python3-dkim is not importable by /usr/bin/python3 (run ./test.sh).</exception>
    public static (bool Verified, string Output) VerifyDkim(byte[] message, string publicKeyRecord)
    {
        const string script = """
import sys, logging
try:
    import dkim
except ImportError:
    print("NO_DKIM_MODULE"); sys.exit(3)
logging.basicConfig(level=logging.DEBUG, stream=sys.stdout)
msg = sys.stdin.buffer.read()
rec = sys.argv[1].encode()
ok = dkim.verify(msg, logger=logging.getLogger("dkim"), dnsfunc=lambda name, timeout=5: rec)
print("VERIFIED" if ok else "FAILED")
sys.exit(0 if ok else 1)
""";
        var r = Run(script, message, [publicKeyRecord]);
        if (r.StandardOutput.Contains("NO_DKIM_MODULE", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("python3-dkim is not importable by /usr/bin/python3. Run ./test.sh, which installs it (apt-get install python3-dkim).");
        }
        var python = r.ExitCode == 0;
        // A second verifier: MimeKit's DkimVerifier must come to the same answer.
        var mimeKit = MimeKitOpinion.VerifyDkim(message, publicKeyRecord);
        if (mimeKit != python)
            throw new InvalidOperationException($"python3-dkim says {(python ? "verified" : "failed")}, MimeKit's DkimVerifier says {(mimeKit ? "verified" : "failed")}: {r.StandardOutput}{r.StandardError}");
        return (python, r.StandardOutput + r.StandardError);
    }
}
