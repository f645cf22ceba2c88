using System.Diagnostics;
using Microsoft.Extensions.Options;
using Newsletter.Mail.Smtp;
using Newsletter.Sender.Hosting;

namespace Newsletter.Sender.Editions;

/// <summary>
/// Sends through src/Mail's connection pools (pipelining, connection reuse): one pool per configured SMTP server,
/// each with its own connection limit and adaptive rate. With several servers (<c>Smtp__Servers__N__...</c>) each
/// message goes to one chosen by weight among those not in a cool-down; a server that refuses connections or
/// throttles is cooled down for a while and the others take its share (a primary relay and a fallback).
/// </summary>
public sealed class SmtpTransport : IMailTransport, IAsyncDisposable
{
    private const string RelayKey = "newsletter.relay";
    private readonly Relay[] relays;
    private readonly TimeProvider time;

    public SmtpTransport(IOptions<SmtpOptions> options, IOptions<SiteOptions> site, TimeProvider time)
    {
        this.time = time;
        var o = options.Value;
        var servers = o.Servers.Count > 0
            ? o.Servers
            : [new SmtpServerOptions { Host = o.Host!, Port = o.Port, Weight = 1, MaxConnections = o.MaxConnections, MaxMessagesPerSecond = o.MaxMessagesPerSecond }];
        relays = servers.Select(s => new Relay(
            new SmtpConnectionPool(new SmtpClientOptions
            {
                Host = s.Host,
                Port = s.Port,
                Security = (s.Security ?? o.Security) switch
                {
                    SmtpSecurityMode.None => SmtpSecurity.None,
                    SmtpSecurityMode.StartTls => SmtpSecurity.StartTls,
                    SmtpSecurityMode.SslOnConnect => SmtpSecurity.SslOnConnect,
                    _ => SmtpSecurity.StartTlsWhenAvailable,
                },
                Username = s.Username ?? o.Username,
                Password = s.Password ?? o.Password,
                AllowAuthWithoutTls = o.AllowAuthWithoutTls,
                AcceptInvalidCertificates = o.AcceptInvalidCertificates,
                LocalDomain = o.LocalDomain ?? new Uri(site.Value.BaseUrl).Host,
                MaxConnections = s.MaxConnections,
                MaxMessagesPerConnection = o.MaxMessagesPerConnection,
            }),
            new AdaptiveRateLimiter(s.MaxMessagesPerSecond, time), Math.Max(1, s.Weight), $"{s.Host}:{s.Port}")).ToArray();
        Concurrency = servers.Sum(s => s.MaxConnections);
    }

    public int Concurrency { get; }

    /// <summary>Each relay's current rate limit (null: none), for the admin console and logs.</summary>
    public IEnumerable<(string Name, double? Rate)> Rates => relays.Select(r => (r.Name, r.Limiter.Rate));

    public async Task<string> SendAsync(SmtpEnvelope envelope, ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        var relay = Choose();
        await relay.Limiter.WaitAsync(cancellationToken);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var result = await relay.Pool.SendAsync(envelope, message, cancellationToken);
            DeliveryMetrics.SmtpReply(relay.Name, Stopwatch.GetElapsedTime(started));
            return relays.Length == 1 ? result.Reply.ToString() : $"{result.Reply} (via {relay.Name})";
        }
        catch (Exception e) when (e is SmtpCommandException or SmtpConnectionException)
        {
            if (e is SmtpCommandException) DeliveryMetrics.SmtpReply(relay.Name, Stopwatch.GetElapsedTime(started));
            if (relays.Length > 1) e.Data[RelayKey] = relay.Name;
            // A throttling reply slows this relay down; a dead or throttling relay rests while the others carry on.
            var throttled = relay.Limiter.OnFailure(e);
            if (relays.Length > 1 && (throttled || e is SmtpConnectionException))
                relay.CoolDownUntil = time.GetUtcNow().AddSeconds(30);
            throw;
        }
    }

    public string RelayOf(string? reply, Exception? failure)
    {
        if (relays.Length == 1) return relays[0].Name;
        if (failure?.Data[RelayKey] is string name) return name;
        if (reply is not null)
            foreach (var r in relays)
                if (reply.EndsWith(r.ViaSuffix, StringComparison.Ordinal)) return r.Name;
        return DeliveryMetrics.NoRelay;
    }

    public async Task ProbeAsync(SmtpEnvelope envelope, CancellationToken cancellationToken)
    {
        // Back when any relay answers.
        Exception? last = null;
        foreach (var relay in relays)
        {
            try
            {
                await relay.Pool.ProbeAsync(envelope, cancellationToken);
                relay.CoolDownUntil = DateTimeOffset.MinValue;
                return;
            }
            catch (Exception e) when (e is Newsletter.Mail.MailException or IOException)
            {
                last = e;
            }
        }
        throw last!;
    }

    private Relay Choose()
    {
        if (relays.Length == 1) return relays[0];
        var now = time.GetUtcNow();
        var ready = relays.Where(r => r.CoolDownUntil <= now).ToArray();
        if (ready.Length == 0) ready = relays; // all resting: try anyway, the failure will be recorded and retried
        var pick = Random.Shared.Next(ready.Sum(r => r.Weight));
        foreach (var r in ready)
        {
            if (pick < r.Weight) return r;
            pick -= r.Weight;
        }
        return ready[^1];
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var r in relays) await r.Pool.DisposeAsync();
    }

    private sealed class Relay(SmtpConnectionPool pool, AdaptiveRateLimiter limiter, int weight, string name)
    {
        public SmtpConnectionPool Pool { get; } = pool;
        public AdaptiveRateLimiter Limiter { get; } = limiter;
        public int Weight { get; } = weight;
        public string Name { get; } = name;
        public string ViaSuffix { get; } = $"(via {name})";
        public DateTimeOffset CoolDownUntil { get; set; } = DateTimeOffset.MinValue;
    }
}
