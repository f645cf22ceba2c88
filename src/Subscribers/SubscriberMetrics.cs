using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Newsletter.Subscribers;

/// <summary>
/// The lifecycle's counters, on the host's "Newsletter" meter: <c>newsletter_signups_total</c>,
/// <c>newsletter_confirmations_total</c>, <c>newsletter_unsubscribes_total</c> and <c>newsletter_bounces_total</c>
/// (by kind: hard, soft, complaint; and source: smtp, webhook, mailbox). Counted after the change committed.
/// </summary>
public static class SubscriberMetrics
{
    public const string MeterName = "Newsletter";
    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> Signups = Meter.CreateCounter<long>("newsletter.signups", null, "Signups accepted (double opt-in started)");
    private static readonly Counter<long> Confirmations = Meter.CreateCounter<long>("newsletter.confirmations", null, "Addresses confirmed");
    private static readonly Counter<long> Unsubscribes = Meter.CreateCounter<long>("newsletter.unsubscribes", null, "Addresses unsubscribed");
    private static readonly Counter<long> Bounces = Meter.CreateCounter<long>("newsletter.bounces", null, "Bounces and complaints recorded");

    public static void Signup() => Signups.Add(1);

    public static void Confirmation() => Confirmations.Add(1);

    public static void Unsubscribe() => Unsubscribes.Add(1);

    /// <summary>One bounce or complaint; <paramref name="kind"/>: hard, soft or complaint; <paramref name="source"/>: smtp, webhook, mailbox.</summary>
    public static void Bounce(string kind, string source, long count = 1)
    {
        if (count <= 0 || !Bounces.Enabled) return;
        Bounces.Add(count, new TagList { { "kind", kind }, { "source", source } });
    }
}
