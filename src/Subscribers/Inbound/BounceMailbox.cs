using Dapper;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Newsletter.Subscribers;

/// <summary>
/// Reads the bounce mailbox over IMAP (MailKit): each message in <see cref="BounceMailboxOptions.Folder"/> is parsed
/// (<see cref="BounceReportParser"/>), applied (<see cref="InboundReportProcessor"/>, which commits it), and only then
/// moved to the processed or the unrecognised folder. A crash or an IMAP outage between the commit and the move leaves
/// the message in place; read again, its report id is already recorded and nothing counts twice.
/// </summary>
public sealed class BounceMailbox(IOptions<BouncesOptions> options, InboundReportProcessor processor, NpgsqlDataSource db, TimeProvider time,
    ILogger<BounceMailbox> logger)
{
    /// <summary>The row of <c>inbound_mailboxes</c> this mailbox reports to.</summary>
    public const string Name = "bounces";

    private BounceMailboxOptions Settings => options.Value.Imap;

    /// <summary>Connects, handles every message in the folder once, disconnects.</summary>
    /// <exception cref="Exception">the server is unreachable or refused (MailKit's exceptions), or the database failed.</exception>
    public async Task<BounceMailboxPoll> PollOnceAsync(CancellationToken cancellationToken)
    {
        using var client = new ImapClient();
        await ConnectAsync(client, cancellationToken);
        var folder = await OpenAsync(client, cancellationToken);
        var poll = await HandleAsync(client, folder, cancellationToken);
        await MarkAnsweredAsync(cancellationToken);
        await client.DisconnectAsync(true, cancellationToken);
        return poll;
    }

    /// <summary>
    /// Runs until <paramref name="cancellationToken"/> fires: reads the folder, then waits in IDLE (where offered) for
    /// new mail or <see cref="BounceMailboxOptions.PollInterval"/>; any failure is logged, recorded for /healthz and
    /// retried after the poll interval on a fresh connection.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var client = new ImapClient();
                await ConnectAsync(client, cancellationToken);
                var folder = await OpenAsync(client, cancellationToken);
                while (!cancellationToken.IsCancellationRequested)
                {
                    var poll = await HandleAsync(client, folder, cancellationToken);
                    await MarkAnsweredAsync(cancellationToken);
                    if (poll.Read > 0)
                        logger.LogInformation("bounce mailbox: {Read} messages read ({Outcomes})", poll.Read,
                            string.Join(", ", poll.Outcomes.Select(o => $"{o.Key.ToString().ToLowerInvariant()} {o.Value}")));
                    await WaitForMailAsync(client, folder, cancellationToken);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                logger.LogWarning("bounce mailbox {Host}:{Port}: {Error}; retrying in {Interval}", Settings.Host, Settings.Port, e.Message, Settings.PollInterval);
                await MarkErrorAsync(e.Message);
                try
                {
                    await Task.Delay(Settings.PollInterval, time, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }

    private async Task WaitForMailAsync(ImapClient client, IMailFolder folder, CancellationToken ct)
    {
        if (!client.Capabilities.HasFlag(ImapCapabilities.Idle))
        {
            await Task.Delay(Settings.PollInterval, time, ct);
            return;
        }
        // IDLE ends on new mail or after the poll interval (RFC 2177 asks to re-issue it well within 29 minutes).
        using var done = CancellationTokenSource.CreateLinkedTokenSource(ct);
        done.CancelAfter(Settings.PollInterval);
        void OnCountChanged(object? sender, EventArgs e) => done.Cancel();
        folder.CountChanged += OnCountChanged;
        try
        {
            await client.IdleAsync(done.Token, ct);
        }
        finally
        {
            folder.CountChanged -= OnCountChanged;
        }
    }

    private async Task ConnectAsync(ImapClient client, CancellationToken ct)
    {
        var s = Settings;
#pragma warning disable CA5359 // accepting any certificate is an explicit, documented test-only option
        if (s.AcceptInvalidCertificates) client.ServerCertificateValidationCallback = static (_, _, _, _) => true;
#pragma warning restore CA5359
        client.Timeout = 60_000;
        var security = s.Security switch
        {
            "None" => SecureSocketOptions.None,
            "StartTls" => SecureSocketOptions.StartTls,
            "StartTlsWhenAvailable" => SecureSocketOptions.StartTlsWhenAvailable,
            _ => SecureSocketOptions.SslOnConnect,
        };
        await client.ConnectAsync(s.Host!, s.Port, security, ct);
        await client.AuthenticateAsync(s.Username ?? "", s.Password ?? "", ct);
    }

    private async Task<IMailFolder> OpenAsync(ImapClient client, CancellationToken ct)
    {
        var folder = string.Equals(Settings.Folder, "INBOX", StringComparison.OrdinalIgnoreCase) ? client.Inbox : await client.GetFolderAsync(Settings.Folder, ct);
        await folder.OpenAsync(FolderAccess.ReadWrite, ct);
        return folder;
    }

    private async Task<BounceMailboxPoll> HandleAsync(ImapClient client, IMailFolder folder, CancellationToken ct)
    {
        var uids = await folder.SearchAsync(SearchQuery.NotDeleted, ct);
        var outcomes = new Dictionary<InboundOutcome, int>();
        if (uids.Count == 0) return new BounceMailboxPoll(0, outcomes);
        var processed = await FolderAsync(client, Settings.ProcessedFolder, ct);
        var unrecognised = await FolderAsync(client, Settings.UnrecognisedFolder, ct);
        foreach (var uid in uids)
        {
            var message = await folder.GetMessageAsync(uid, ct);
            InboundReport report;
            try
            {
                report = BounceReportParser.Parse(message);
            }
            catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException)
            {
                report = new InboundReport("unparsable:" + uid.Id, InboundReportKind.Unrecognised, [], null, [], e.Message);
            }
            // Committed before the move: a failure from here on leaves the message for the next look.
            var outcome = await processor.ApplyAsync(report, ct);
            await folder.MoveToAsync(uid, outcome is InboundOutcome.Forged or InboundOutcome.AutoReply or InboundOutcome.Unrecognised ? unrecognised : processed, ct);
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            if (outcome == InboundOutcome.Forged)
                logger.LogWarning("bounce mailbox: report {Id} carries a return-path token that does not verify; left unrecognised", report.ReportId);
        }
        return new BounceMailboxPoll(uids.Count, outcomes);
    }

    private static async Task<IMailFolder> FolderAsync(ImapClient client, string name, CancellationToken ct)
    {
        try
        {
            return await client.GetFolderAsync(name, ct);
        }
        catch (FolderNotFoundException)
        {
            var root = client.GetFolder(client.PersonalNamespaces[0]);
            return await root.CreateAsync(name, true, ct) ?? throw new InvalidOperationException($"the IMAP server did not create the folder '{name}'");
        }
    }

    private async Task MarkAnsweredAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            insert into inbound_mailboxes (name, last_answered_at) values (@Name, @now)
            on conflict (name) do update set last_answered_at = excluded.last_answered_at
            """, new { Name, now = time.GetUtcNow() }, cancellationToken: ct));
    }

    private async Task MarkErrorAsync(string error)
    {
        try
        {
            await using var connection = await db.OpenConnectionAsync();
            await connection.ExecuteAsync(new CommandDefinition(
                """
                insert into inbound_mailboxes (name, last_error, last_error_at) values (@Name, @error, @now)
                on conflict (name) do update set last_error = excluded.last_error, last_error_at = excluded.last_error_at
                """, new { Name, error = error.Length > 500 ? error[..500] : error, now = time.GetUtcNow() }));
        }
        catch (NpgsqlException)
        {
            // The database is what failed: the log line above says so; the next round records again.
        }
    }

    /// <summary>When the mailbox last answered and its last error, for /healthz and the dashboard; null when it never ran.</summary>
    public static async Task<BounceMailboxStatus?> StatusAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        await using var connection = await db.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<BounceMailboxStatus>(new CommandDefinition(
            "select last_answered_at as LastAnsweredAt, last_error as LastError, last_error_at as LastErrorAt from inbound_mailboxes where name = @Name",
            new { Name }, cancellationToken: ct));
        return rows.FirstOrDefault();
    }
}
