using Microsoft.Extensions.Options;

namespace Newsletter.Sender.Editions;

/// <summary>
/// The values of tracked links: <see cref="StampSlot"/> is the time the message was composed, coarsened so it names no
/// reader (shared by every message of that interval, so it is written into the edition's template once per interval,
/// see EditionContent), for telling a scanner's fetch right after delivery; <see cref="TokenSlot"/> is the reader's
/// signed click token, only in Individual mode, merged per message like the unsubscribe link.
/// </summary>
public sealed class ClickSlots(IOptions<TrackingOptions> options, ClickTokens tokens, TimeProvider time)
{
    public const string StampSlot = "click_at";
    public const string TokenSlot = "click_token";

    /// <summary>Granularity of the stamp: the machine-click window, between 1 s and a minute.</summary>
    public long StampSeconds { get; } = Math.Clamp((long)options.Value.MachineClickWindow.TotalSeconds, 1, 60);

    /// <summary>Adds the reader's click token when <paramref name="slotNames"/> uses it (Individual mode).</summary>
    public void AddValues(IReadOnlyCollection<string> slotNames, long editionId, long subscriberId, Dictionary<string, string> values)
    {
        ArgumentNullException.ThrowIfNull(slotNames);
        ArgumentNullException.ThrowIfNull(values);
        if (slotNames.Contains(TokenSlot)) values[TokenSlot] = tokens.Create(subscriberId, editionId);
    }

    /// <summary>The stamp of a message composed now: Unix seconds, rounded down to <see cref="StampSeconds"/>.</summary>
    public long Stamp()
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        return now - now % StampSeconds;
    }
}
