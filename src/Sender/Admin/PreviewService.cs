using System.Net;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Microsoft.Extensions.Options;
using Newsletter.Mail;
using Newsletter.Mail.Smtp;
using Newsletter.Comparisons;
using Newsletter.Sender.Editions;
using Newsletter.Sender.Hosting;
using Newsletter.Templates;
using Newsletter.Sender.Admin.Pages;
using Npgsql;

namespace Newsletter.Sender.Admin;

/// <summary>The coming edition as it would go out now, rendered with the real templates.</summary>
public sealed record EditionPreview(IReadOnlyList<PreviewItem> Items, IReadOnlyList<SelectedComparison> Included, IReadOnlyList<SelectedComparison> Selected, RenderedEmail Rendered,
    string SlotPrefix, string SlotSuffix, long? DraftId)
{
    /// <summary>The HTML with neutral personal values (a preview belongs to nobody).</summary>
    public string NeutralHtml(SiteInfoProvider site) => Rendered.Html
        .Replace(SlotPrefix + EditionService.UnsubscribeSlot + SlotSuffix, WebUtility.HtmlEncode(site.SignupUrl()), StringComparison.Ordinal)
        .Replace(SlotPrefix + EditionService.EmailSlot + SlotSuffix, PreviewService.SampleAddress, StringComparison.Ordinal);

    public string NeutralText(SiteInfoProvider site) => Rendered.Text
        .Replace(SlotPrefix + EditionService.UnsubscribeSlot + SlotSuffix, site.SignupUrl(), StringComparison.Ordinal)
        .Replace(SlotPrefix + EditionService.EmailSlot + SlotSuffix, PreviewService.SampleAddress, StringComparison.Ordinal);
}

/// <summary>
/// Preview, admin's order and exclusions (a draft edition row), test sends. The selection runs in a transaction that
/// is rolled back: previewing never changes what the next edition takes.
/// </summary>
public sealed class PreviewService(
    NpgsqlDataSource db, EmailRenderer renderer, SiteInfoProvider site, MessageComposer composer, IMailTransport transport,
    IOptions<SelectionOptions> comparisons, TimeProvider time)
{
    public const string SampleAddress = "reader@example.com";
    public const int MaxTestAddresses = 10;

    public async Task<EditionPreview> BuildAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var connection = await db.OpenConnectionAsync(ct);
        IReadOnlyList<SelectedComparison> selected;
        await using (var tx = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct))
        {
            await connection.ExecuteAsync(new CommandDefinition("set transaction read only", transaction: tx, cancellationToken: ct));
            selected = await ComparisonSelection.SelectAsync(connection, tx, now, comparisons.Value.MaxComparisonsPerEdition, comparisons.Value.LookBack, ct);
            await tx.RollbackAsync(ct);
        }
        var draftId = await EditionTransitions.LatestDraftAsync(connection, null, forUpdate: false, ct);
        var stored = draftId is null ? [] : await ComparisonSelection.ForEditionAsync(connection, null, draftId.Value, includeExcluded: true, ct);
        var byId = stored.ToDictionary(s => s.Id);
        // The admin's stored order first; comparisons new since then follow in the selection's order.
        var ordered = selected
            .Select((s, i) => (s, key: byId.TryGetValue(s.Id, out var d) ? (0, d.Position, i) : (1, 0, i), excluded: byId.TryGetValue(s.Id, out var e) && e.Excluded))
            .OrderBy(x => x.key).ToList();
        var items = ordered.Select((x, i) => new PreviewItem(x.s.Id, x.s.Comparison.Title,
            x.s.Comparison.Tools.Count > 0 ? x.s.Comparison.Tools[0].Name : "", x.s.Comparison.Tools.Count > 1 ? x.s.Comparison.Tools[1].Name : "",
            x.s.Comparison.PublishedAt, x.excluded, i + 1)).ToList();
        var included = ordered.Where(x => !x.excluded).Select(x => x.s).ToList();

        var prefix = "{{{" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)) + ".";
        const string suffix = "}}}";
        var rendered = await renderer.RenderEditionAsync(new EditionEmailModel(site.Get(), 0, now, included.Select(s => s.Comparison).ToList(),
            new PersonalSlots(prefix + EditionService.UnsubscribeSlot + suffix, prefix + EditionService.EmailSlot + suffix), site.ArchiveIndexUrl()), ct);
        return new EditionPreview(items, included, selected, rendered, prefix, suffix, draftId);
    }

    /// <summary>The header block of one composed test message (what a reader's client would show as "original").</summary>
    public string Headers(EditionPreview preview)
    {
        var bytes = composer.ComposeTest(preview.Rendered, preview.SlotPrefix, preview.SlotSuffix, SampleAddress);
        var text = Encoding.UTF8.GetString(bytes);
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        return end < 0 ? text : text[..end];
    }

    public byte[] ComposeSample(EditionPreview preview) => composer.ComposeTest(preview.Rendered, preview.SlotPrefix, preview.SlotSuffix, SampleAddress);

    /// <summary>Parses the comma-separated list: each address valid, 1 to 10 of them. Errors name the bad entry.</summary>
    public static (IReadOnlyList<string> Addresses, string? Error) ParseAddresses(string? input)
    {
        var parts = (input ?? "").Split([',', ';', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0) return ([], "Enter at least one address.");
        if (parts.Length > MaxTestAddresses) return ([], $"At most {MaxTestAddresses} addresses at a time ({parts.Length} given).");
        var list = new List<string>();
        foreach (var p in parts)
        {
            if (!EmailAddress.TryParse(p, out var address, out var error)) return ([], $"“{p}” is not a valid address: {error}");
            var text = address!.ToString();
            if (!list.Contains(text, StringComparer.OrdinalIgnoreCase)) list.Add(text);
        }
        return (list, null);
    }

    /// <summary>Sends a [TEST] copy to each address through the real transport. Records nothing; consumes nothing.</summary>
    public async Task SendTestAsync(EditionPreview preview, IReadOnlyList<string> addresses, CancellationToken ct)
    {
        foreach (var address in addresses)
        {
            var bytes = composer.ComposeTest(preview.Rendered, preview.SlotPrefix, preview.SlotSuffix, address);
            await transport.SendAsync(new SmtpEnvelope(composer.EnvelopeFrom, address), bytes, ct);
        }
    }

    /// <summary>
    /// Stores the admin's order and exclusions on the draft edition (created when absent), recording the current
    /// selection first so new comparisons are part of it.
    /// </summary>
    public async Task SaveOrderAsync(IReadOnlyList<long> orderedIds, IReadOnlyCollection<long> excludedIds, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var selected = await ComparisonSelection.SelectAsync(connection, tx, now, comparisons.Value.MaxComparisonsPerEdition, comparisons.Value.LookBack, ct);
        var ids = selected.Select(s => s.Id).ToList();
        var draftId = await EditionTransitions.LatestDraftAsync(connection, tx, forUpdate: true, ct)
            ?? await EditionTransitions.CreateDraftAsync(connection, tx, now, ct);
        await EditionTransitions.MoveDraftCutoffAsync(connection, tx, draftId, now, ct);
        await ComparisonSelection.RecordAsync(connection, tx, draftId, ids, ct);
        // Only ids still selected count; those the admin did not place keep their selection order at the end.
        var order = orderedIds.Where(ids.Contains).Distinct().Concat(ids.Where(i => !orderedIds.Contains(i))).ToList();
        await ComparisonSelection.ReorderAsync(connection, tx, draftId, order, excludedIds.Where(ids.Contains).ToList(), ct);
        await tx.CommitAsync(ct);
    }
}
