using Newsletter.Subscribers;

namespace Newsletter.Sender.Jobs;

/// <summary>
/// Runs the bounce mailbox reader (<see cref="BounceMailbox.RunAsync"/>) for the life of the host: a long-lived IMAP IDLE
/// loop fits a hosted service better than a recurring job. Registered when <c>Bounces__Imap__Host</c> is set, except
/// in <c>Service__Role=Web</c>. Several instances may each run it: a report applies once whoever reads it.
/// </summary>
public sealed class BounceMailboxService(BounceMailbox mailbox) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => mailbox.RunAsync(stoppingToken);
}
