using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Newsletter.Sender.Editions;

namespace Newsletter.Sender.Hosting;

/// <summary>
/// The send's counters and the SMTP reply histogram. A message costs one <see cref="Counter{T}.Add(T, in TagList)"/>
/// with a tag list built once per relay and kind (a dictionary lookup, no allocation); with no listener (metrics off)
/// Add returns at once. Exported as <c>newsletter_messages_sent_total</c>, <c>_deferred_total</c>, <c>_failed_total</c>
/// and <c>newsletter_smtp_reply_seconds</c>.
/// </summary>
public static class DeliveryMetrics
{
    /// <summary>The relay label of a message that never reached one (its content could not be built).</summary>
    public const string NoRelay = "none";

    private static readonly Meter Meter = new(NewsletterTelemetry.Name);
    private static readonly Counter<long> Sent = Meter.CreateCounter<long>("newsletter.messages.sent", null, "Messages the relay accepted");
    private static readonly Counter<long> Deferred = Meter.CreateCounter<long>("newsletter.messages.deferred", null, "Attempts deferred for a retry (4xx, dropped connection)");
    private static readonly Counter<long> Failed = Meter.CreateCounter<long>("newsletter.messages.failed", null, "Messages that failed for good");
    private static readonly Histogram<double> Reply = Meter.CreateHistogram("newsletter.smtp.reply", "s", "Time from handing a message to the relay to its reply",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });

    private static readonly ConcurrentDictionary<(string Relay, MessageKind Kind), TagList> MessageTags = new();
    private static readonly ConcurrentDictionary<string, TagList> RelayTags = new(StringComparer.Ordinal);

    /// <summary>Counts one attempt's outcome (skipped and released attempts are not messages and are not counted).</summary>
    public static void Count(MessageKind kind, OutcomeKind outcome, string relay)
    {
        var counter = outcome switch
        {
            OutcomeKind.Sent => Sent,
            OutcomeKind.Deferred => Deferred,
            OutcomeKind.Failed => Failed,
            _ => null,
        };
        if (counter is null || !counter.Enabled) return;
        var tags = Tags(relay, kind);
        counter.Add(1, in tags);
    }

    /// <summary>Records how long <paramref name="relay"/> took to answer one message.</summary>
    public static void SmtpReply(string relay, TimeSpan elapsed)
    {
        if (!Reply.Enabled) return;
        if (!RelayTags.TryGetValue(relay, out var tags)) tags = RelayTags.GetOrAdd(relay, r => new TagList { { "relay", r } });
        Reply.Record(elapsed.TotalSeconds, in tags);
    }

    private static TagList Tags(string relay, MessageKind kind)
        => MessageTags.TryGetValue((relay, kind), out var tags) ? tags
            : MessageTags.GetOrAdd((relay, kind), k => new TagList { { "relay", k.Relay }, { "kind", k.Kind == MessageKind.Edition ? "edition" : "transactional" } });
}
