using System.Diagnostics.Metrics;
using Newsletter.Sender.Editions;
using Newsletter.Sender.Hosting;

namespace Newsletter.Sender.Tests.Hosting.Telemetry;

/// <summary>
/// The send's counters as a listener sees them (instrument, relay and kind labels), and what counting a message costs:
/// no allocation once a relay's labels exist.
/// </summary>
public sealed class DeliveryMetricsTests
{
    [Fact]
    public void Each_outcome_goes_to_its_counter_with_the_relay_and_kind_and_allocates_nothing()
    {
        // A relay name of this test's own: other tests in the process send mail through the same static counters.
        const string relay = "metrics-test.example:2525";
        long sent = 0, deferred = 0, failed = 0, transactional = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == NewsletterTelemetry.Name && instrument.Name.StartsWith("newsletter.messages.", StringComparison.Ordinal))
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? relayTag = null, kindTag = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "relay") relayTag = tag.Value as string;
                else if (tag.Key == "kind") kindTag = tag.Value as string;
            }
            if (relayTag != relay) return;
            if (kindTag == "transactional") Interlocked.Add(ref transactional, value);
            if (kindTag != "edition") return;
            switch (instrument.Name)
            {
                case "newsletter.messages.sent": Interlocked.Add(ref sent, value); break;
                case "newsletter.messages.deferred": Interlocked.Add(ref deferred, value); break;
                case "newsletter.messages.failed": Interlocked.Add(ref failed, value); break;
            }
        });
        listener.Start();

        DeliveryMetrics.Count(MessageKind.Edition, OutcomeKind.Sent, relay);
        DeliveryMetrics.Count(MessageKind.Edition, OutcomeKind.Deferred, relay);
        DeliveryMetrics.Count(MessageKind.Edition, OutcomeKind.Failed, relay);
        DeliveryMetrics.Count(MessageKind.Edition, OutcomeKind.Skipped, relay);
        DeliveryMetrics.Count(MessageKind.Edition, OutcomeKind.Released, relay);
        DeliveryMetrics.Count(MessageKind.Transactional, OutcomeKind.Sent, relay);
        Assert.Equal((1L, 1L, 1L, 1L), (sent, deferred, failed, transactional));

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++) DeliveryMetrics.Count(MessageKind.Edition, OutcomeKind.Sent, relay);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(10_001L, sent);
        Assert.True(allocated < 1024, $"counting 10,000 messages allocated {allocated} bytes");
    }
}
