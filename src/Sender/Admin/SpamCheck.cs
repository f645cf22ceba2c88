using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Newsletter.Sender.Admin.Pages;

namespace Newsletter.Sender.Admin;

/// <summary>
/// Runs Debian's SpamAssassin locally (<c>spamassassin -L -t</c>: local tests only, no network) on one composed
/// message and reads the score and the rules hit from its report. "Not installed" when the program is absent.
/// </summary>
public sealed partial class SpamCheck
{
    public const string Executable = "/usr/bin/spamassassin";

    public static bool Installed => File.Exists(Executable);

    public async Task<SpamModel> RunAsync(byte[] message, string subject, CancellationToken ct)
    {
        if (!Installed) return new SpamModel(false, null, null, [], null, subject);
        var info = new ProcessStartInfo(Executable)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        info.ArgumentList.Add("-L");
        info.ArgumentList.Add("-t");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start spamassassin");
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.StandardInput.BaseStream.WriteAsync(message, timeout.Token);
            process.StandardInput.Close();
            await process.WaitForExitAsync(timeout.Token);
            var output = await stdout;
            _ = await stderr;
            return Parse(output, subject);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            return new SpamModel(true, null, null, [], "SpamAssassin did not answer within 60 seconds.", subject);
        }
    }

    /// <summary>Reads "X-Spam-Status: No, score=-0.1 required=5.0" and the "Content analysis details" table.</summary>
    public static SpamModel Parse(string output, string subject)
    {
        var status = StatusRegex().Match(output);
        double? score = status.Success ? double.Parse(status.Groups[1].Value, CultureInfo.InvariantCulture) : null;
        double? required = status.Success ? double.Parse(status.Groups[2].Value, CultureInfo.InvariantCulture) : null;
        var rules = new List<SpamRule>();
        var details = output.IndexOf("Content analysis details:", StringComparison.Ordinal);
        if (details >= 0)
        {
            SpamRule? last = null;
            foreach (var line in output[details..].Split('\n'))
            {
                var m = RuleRegex().Match(line);
                if (m.Success)
                {
                    last = new SpamRule(double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), m.Groups[2].Value, m.Groups[3].Value.Trim());
                    rules.Add(last);
                }
                else if (last is not null && ContinuationRegex().IsMatch(line))
                {
                    rules[^1] = last = last with { Description = last.Description + " " + line.Trim() };
                }
            }
        }
        return new SpamModel(true, score, required, rules, status.Success ? null : "SpamAssassin's answer had no X-Spam-Status line.", subject);
    }

    [GeneratedRegex(@"X-Spam-Status: \w+, score=(-?\d+(?:\.\d+)?) required=(-?\d+(?:\.\d+)?)")]
    private static partial Regex StatusRegex();

    [GeneratedRegex(@"^\s*(-?\d+(?:\.\d+)?)\s+([A-Z0-9_]+)\s+(.*)$")]
    private static partial Regex RuleRegex();

    [GeneratedRegex(@"^\s{20,}\S")]
    private static partial Regex ContinuationRegex();
}
