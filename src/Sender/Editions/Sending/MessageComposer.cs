using Newsletter.Database;
using System.Collections.Concurrent;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Options;
using Newsletter.Mail;

using Newsletter.Mail.Dkim;
using Newsletter.Mail.Mime;
using Newsletter.Sender.Hosting;
using Newsletter.Sender.Public;
using Newsletter.Subscribers;
using Newsletter.Templates;
using Npgsql;

namespace Newsletter.Sender.Editions;

/// <summary>
/// Produces the bytes of each message: an edition for one subscriber (only the personal values change: the
/// unsubscribe link, the address, the Message-ID), and the transactional mails of the outbox. Signs with DKIM
/// when configured.
/// </summary>
public sealed class MessageComposer
{
    public const string MessageIdSlot = "message_id";

    private readonly NpgsqlDataSource db;
    private readonly EmailRenderer renderer;
    private readonly SiteInfoProvider site;
    private readonly UnsubscribeTokens unsubscribeTokens;
    private readonly ScheduleDescription schedule;
    private readonly ClickSlots clickSlots;
    private readonly TimeProvider time;
    private readonly Mailbox from;
    private readonly string listId;
    private readonly string idDomain;
    private readonly DkimSigner? signer;
    private readonly VerpAddresses? verp;
    private readonly ConcurrentDictionary<long, Task<EditionContent>> editions = new();

    public MessageComposer(NpgsqlDataSource db, EmailRenderer renderer, SiteInfoProvider site, UnsubscribeTokens unsubscribeTokens,
        ScheduleDescription schedule, ClickSlots clickSlots, IOptions<NewsletterOptions> newsletter, IOptions<DkimOptions> dkim, IOptions<BouncesOptions> bounces,
        SubscribersOptions subscribers, TimeProvider time)
    {
        this.clickSlots = clickSlots;
        this.db = db;
        this.renderer = renderer;
        this.site = site;
        this.unsubscribeTokens = unsubscribeTokens;
        this.schedule = schedule;
        this.time = time;
        var address = EmailAddress.Parse(newsletter.Value.FromAddress);
        from = new Mailbox(newsletter.Value.FromName ?? site.Get().NewsletterName, address);
        idDomain = address.Domain;
        listId = newsletter.Value.ListId ?? $"weekly.{address.Domain}";
        EnvelopeFrom = address.ToString();
        verp = VerpAddresses.FromSettings(bounces.Value, subscribers);
        var d = dkim.Value;
        if (d.Enabled) signer = DkimSigner.FromPemFile(d.Domain!, d.Selector!, d.PrivateKeyFile!);
    }

    /// <summary>The envelope sender (MAIL FROM) of mail that is not about one subscriber (tests, relay probes).</summary>
    public string EnvelopeFrom { get; }

    /// <summary>The envelope sender of one edition delivery: its VERP return path when <c>Bounces__Address</c> is set.</summary>
    public string EditionEnvelopeFrom(long editionId, long subscriberId) => verp?.ForEdition(editionId, subscriberId) ?? EnvelopeFrom;

    /// <summary>The envelope sender of a transactional mail: a VERP return path of its own kind when the mail has a subscriber.</summary>
    public string TransactionalEnvelopeFrom(long? subscriberId)
        => verp is not null && subscriberId is { } id ? verp.ForTransactional(id) : EnvelopeFrom;

    /// <summary>The compiled edition, loaded once per process; a load that failed is forgotten, so the next call tries again.</summary>
    public Task<EditionContent> GetEditionAsync(long editionId, CancellationToken cancellationToken)
    {
        var load = editions.GetOrAdd(editionId, id => LoadEditionAsync(id, CancellationToken.None));
        if (load.IsCompletedSuccessfully) return load;
        return AwaitAsync(editionId, load, cancellationToken);
    }

    private async Task<EditionContent> AwaitAsync(long editionId, Task<EditionContent> load, CancellationToken cancellationToken)
    {
        try
        {
            return await load.WaitAsync(cancellationToken);
        }
        catch (Exception) when (load.IsFaulted || load.IsCanceled)
        {
            editions.TryRemove(new KeyValuePair<long, Task<EditionContent>>(editionId, load));
            throw;
        }
    }

    private async Task<EditionContent> LoadEditionAsync(long editionId, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleAsync<(string Subject, string Html, string TextBody, string Prefix, string Suffix, DateTime StartedAt)>(
            new CommandDefinition(
                "select subject, html, text_body, slot_prefix, slot_suffix, coalesce(started_at, created_at) from editions where id = @editionId",
                new { editionId }, cancellationToken: cancellationToken));
        MessageTemplate Compile(string html, string text)
        {
            var message = NewMessage(row.Subject);
            message.MessageId = row.Prefix + MessageIdSlot + row.Suffix + "@" + idDomain;
            message.HtmlBody = html;
            message.TextBody = text;
            // RFC 2369 / RFC 8058: one-click unsubscribe; both headers are covered by the DKIM signature.
            message.Headers.Add("List-Unsubscribe", "<" + row.Prefix + EditionService.UnsubscribeSlot + row.Suffix + ">");
            message.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
            message.Headers.Add("Feedback-ID", $"edition-{editionId}:weekly:newsletter");
            message.Headers.Add("Precedence", "bulk");
            return MessageTemplate.Compile(message, row.Prefix, row.Suffix);
        }

        var template = Compile(row.Html, row.TextBody);
        // The click stamp is the same for every message composed in the same stamp period: it is written into a
        // template compiled once per period rather than merged into every tracked link of every message.
        var stampSlot = row.Prefix + ClickSlots.StampSlot + row.Suffix;
        Func<long, MessageTemplate>? restamp = template.SlotNames.Contains(ClickSlots.StampSlot)
            ? stamp =>
            {
                var value = stamp.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return Compile(row.Html.Replace(stampSlot, value, StringComparison.Ordinal), row.TextBody.Replace(stampSlot, value, StringComparison.Ordinal));
            }
            : null;
        return new EditionContent(editionId, row.Subject, UtcTimes.Of(row.StartedAt), template)
        {
            Restamp = restamp,
        };
    }

    /// <summary>
    /// The edition for one subscriber, written into a pooled buffer the caller disposes once the message is sent.
    /// The Message-ID is stable per (edition, subscriber).
    /// </summary>
    public PooledBufferWriter ComposeEdition(EditionContent edition, long subscriberId, string email)
    {
        var values = new Dictionary<string, string>(5)
        {
            [EditionService.UnsubscribeSlot] = site.UnsubscribeUrl(unsubscribeTokens.Create(subscriberId, edition.Id)),
            [EditionService.EmailSlot] = email,
            [MessageIdSlot] = $"edition-{edition.Id}.subscriber-{subscriberId}",
        };
        var template = edition.TemplateAt(clickSlots.Stamp());
        clickSlots.AddValues(template.SlotNames, edition.Id, subscriberId, values);
        var output = new PooledBufferWriter(edition.SizeHint);
        try
        {
            template.Render(new Mailbox(null, EmailAddress.Parse(email)), values, output);
            if (signer is not null)
            {
                var signed = new PooledBufferWriter(output.WrittenCount + 1024);
                try
                {
                    signer.Sign(output.WrittenMemory.Span, signed);
                }
                catch
                {
                    signed.Dispose();
                    throw;
                }
                output.Dispose();
                output = signed;
            }
            edition.SizeHint = Math.Max(edition.SizeHint, output.WrittenCount + 512);
            return output;
        }
        catch
        {
            output.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A test copy of a rendered (not yet sent) edition for one address, for the admin console: the same headers and
    /// merge as a real delivery, the subject marked "[TEST]", an <c>X-Newsletter-Test</c> header, and the signup page
    /// in place of an unsubscribe link (the address need not be a subscriber). Nothing is recorded.
    /// </summary>
    public byte[] ComposeTest(RenderedEmail rendered, string slotPrefix, string slotSuffix, string recipient)
    {
        var message = NewMessage("[TEST] " + rendered.Subject);
        message.MessageId = slotPrefix + MessageIdSlot + slotSuffix + "@" + idDomain;
        message.HtmlBody = rendered.Html;
        message.TextBody = rendered.Text;
        message.Headers.Add("List-Unsubscribe", "<" + slotPrefix + EditionService.UnsubscribeSlot + slotSuffix + ">");
        message.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        message.Headers.Add("X-Newsletter-Test", "yes");
        var values = new Dictionary<string, string>(3)
        {
            [EditionService.UnsubscribeSlot] = site.SignupUrl(),
            [EditionService.EmailSlot] = recipient,
            [MessageIdSlot] = $"test-{Guid.NewGuid():N}",
        };
        var bytes = MessageTemplate.Compile(message, slotPrefix, slotSuffix).Render(new Mailbox(null, EmailAddress.Parse(recipient)), values);
        return signer is null ? bytes : signer.Sign(bytes);
    }

    /// <summary>A transactional mail from the outbox, rendered now from its payload.</summary>
    public async Task<byte[]> ComposeOutboxAsync(string kind, long? subscriberId, string recipient, JsonElement payload, CancellationToken cancellationToken)
    {
        var info = site.Get();
        RenderedEmail rendered;
        string? unsubscribeUrl = null;
        switch (kind)
        {
            case OutboxKind.Confirmation:
                var confirmation = ConfirmationPayload.FromJson(payload);
                var ttl = confirmation.ExpiresAt - time.GetUtcNow();
                rendered = await renderer.RenderConfirmationAsync(
                    new ConfirmationEmailModel(info, site.ConfirmUrl(confirmation.Token), ttl > TimeSpan.Zero ? ttl : TimeSpan.Zero, recipient), cancellationToken);
                break;
            case OutboxKind.Welcome:
                unsubscribeUrl = site.UnsubscribeUrl(unsubscribeTokens.Create(subscriberId ?? 0));
                rendered = await renderer.RenderWelcomeAsync(
                    new WelcomeEmailModel(info, await LatestEditionUrlAsync(cancellationToken), schedule.Describe(), unsubscribeUrl), cancellationToken);
                break;
            case OutboxKind.Goodbye:
                rendered = await renderer.RenderGoodbyeAsync(new GoodbyeEmailModel(info, site.SignupUrl()), cancellationToken);
                break;
            default:
                throw new InvalidOperationException($"unknown outbox kind '{kind}'");
        }
        var message = NewMessage(rendered.Subject);
        message.To.Add(new Mailbox(null, EmailAddress.Parse(recipient)));
        message.MessageId = $"{kind}-{Guid.NewGuid():N}@{idDomain}";
        message.HtmlBody = rendered.Html;
        message.TextBody = rendered.Text;
        if (unsubscribeUrl is not null)
        {
            message.Headers.Add("List-Unsubscribe", "<" + unsubscribeUrl + ">");
            message.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        }
        message.Headers.Add("Auto-Submitted", "auto-generated");
        var bytes = message.ToArray();
        return signer is null ? bytes : signer.Sign(bytes);
    }

    private EmailMessage NewMessage(string subject)
    {
        var message = new EmailMessage { From = from, Subject = subject, Date = time.GetUtcNow() };
        message.Headers.Add("List-Id", $"\"{site.Get().NewsletterName}\" <{listId}>");
        return message;
    }

    private async Task<string?> LatestEditionUrlAsync(CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        var id = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            $"select id from editions where state = {DbValue.Sql(EditionState.Sent)} and not is_test order by id desc limit 1", cancellationToken: cancellationToken));
        return id is null ? null : site.ArchiveUrl(id.Value);
    }
}
