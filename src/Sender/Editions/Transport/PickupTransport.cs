using Microsoft.Extensions.Options;
using Newsletter.Mail.Smtp;

namespace Newsletter.Sender.Editions;

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

    public Task ProbeAsync(SmtpEnvelope envelope, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        return Task.CompletedTask;
    }
}
