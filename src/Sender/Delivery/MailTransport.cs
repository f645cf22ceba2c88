using Microsoft.Extensions.Options;
using Newsletter.Mail.Smtp;
using Newsletter.Sender.Configuration;

namespace Newsletter.Sender.Delivery;

/// <summary>Where composed messages go: an SMTP relay, or a pickup directory of .eml files.</summary>
public interface IMailTransport
{
    /// <summary>Hands one message over. Returns the server's reply text when accepted.</summary>
    /// <exception cref="SmtpCommandException">the server refused (4xx transient, 5xx permanent).</exception>
    /// <exception cref="SmtpConnectionException">the connection broke or timed out (transient).</exception>
    Task<string> SendAsync(SmtpEnvelope envelope, ReadOnlyMemory<byte> message, CancellationToken cancellationToken);

    /// <summary>Whether the transport answers now (used to resume an edition paused for a dead relay).</summary>
    Task ProbeAsync(CancellationToken cancellationToken);

    /// <summary>How many messages may usefully be in flight at once.</summary>
    int Concurrency { get; }
}

/// <summary>Writes each message as <c>{time}-{id}.eml</c> into the pickup directory (written to a temporary name, then renamed).</summary>
public sealed class PickupTransport : IMailTransport
{
    private readonly string directory;

    public PickupTransport(IOptions<SmtpOptions> options)
    {
        directory = Path.GetFullPath(options.Value.PickupDirectory!);
        Directory.CreateDirectory(directory);
    }

    public int Concurrency => 4;

    public async Task<string> SendAsync(SmtpEnvelope envelope, ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        var name = $"{DateTime.UtcNow:yyyyMMdd-HHmmss-fff}-{Guid.NewGuid():N}";
        var temp = Path.Combine(directory, name + ".tmp");
        await File.WriteAllBytesAsync(temp, message.ToArray(), cancellationToken);
        File.Move(temp, Path.Combine(directory, name + ".eml"));
        return $"250 written to {name}.eml";
    }

    public Task ProbeAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        return Task.CompletedTask;
    }
}

/// <summary>Sends through src/Mail's connection pool (pipelining, connection reuse).</summary>
public sealed class SmtpTransport : IMailTransport, IAsyncDisposable
{
    private readonly SmtpConnectionPool pool;

    public SmtpTransport(IOptions<SmtpOptions> options, IOptions<SiteOptions> site)
    {
        var o = options.Value;
        Concurrency = o.MaxConnections;
        pool = new SmtpConnectionPool(new SmtpClientOptions
        {
            Host = o.Host!,
            Port = o.Port,
            Security = o.Security switch
            {
                SmtpSecurityMode.None => SmtpSecurity.None,
                SmtpSecurityMode.StartTls => SmtpSecurity.StartTls,
                SmtpSecurityMode.SslOnConnect => SmtpSecurity.SslOnConnect,
                _ => SmtpSecurity.StartTlsWhenAvailable,
            },
            Username = o.Username,
            Password = o.Password,
            AllowAuthWithoutTls = o.AllowAuthWithoutTls,
            AcceptInvalidCertificates = o.AcceptInvalidCertificates,
            LocalDomain = o.LocalDomain ?? new Uri(site.Value.BaseUrl).Host,
            MaxConnections = o.MaxConnections,
            MaxMessagesPerConnection = o.MaxMessagesPerConnection,
        });
    }

    public int Concurrency { get; }

    public async Task<string> SendAsync(SmtpEnvelope envelope, ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        var result = await pool.SendAsync(envelope, message, cancellationToken);
        return result.Reply.ToString();
    }

    public Task ProbeAsync(CancellationToken cancellationToken) => pool.ProbeAsync(cancellationToken);

    public ValueTask DisposeAsync() => pool.DisposeAsync();
}
