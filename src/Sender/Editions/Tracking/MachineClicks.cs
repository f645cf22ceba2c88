namespace Newsletter.Sender.Editions;

/// <summary>
/// Tells a machine's fetch from a reader's click: a HEAD request; a user agent of a known link scanner or a
/// program (or none at all); or a fetch within <c>Tracking__MachineClickWindow</c> of the time its message was
/// composed (the link's stamp), which is when mail security gateways fetch every link.
/// </summary>
public static class MachineClicks
{
    // Substrings of the user agents of link scanners, preview fetchers and HTTP libraries (case-insensitive).
    private static readonly string[] BuiltIn =
    [
        "bot", "crawler", "spider", "scanner", "preview", "proofpoint", "mimecast", "barracuda", "safelinks", "urldefense",
        "forcepoint", "trendmicro", "symantec", "fortiguard", "sophos", "zscaler", "mailscanner", "googleimageproxy",
        "curl/", "wget/", "python-requests", "python-urllib", "go-http-client", "java/", "okhttp", "libwww-perl", "httpclient",
        "headlesschrome", "phantomjs",
    ];

    public static bool IsMachine(string method, string? userAgent, long? stamp, DateTimeOffset now, TimeSpan window, IReadOnlyList<string> extraAgents)
    {
        ArgumentNullException.ThrowIfNull(extraAgents);
        if (HttpMethods.IsHead(method)) return true;
        if (string.IsNullOrWhiteSpace(userAgent)) return true;
        foreach (var s in BuiltIn)
            if (userAgent.Contains(s, StringComparison.OrdinalIgnoreCase)) return true;
        foreach (var s in extraAgents)
            if (s.Length > 0 && userAgent.Contains(s, StringComparison.OrdinalIgnoreCase)) return true;
        return stamp is not null && now.ToUnixTimeSeconds() - stamp.Value < (long)window.TotalSeconds;
    }
}
