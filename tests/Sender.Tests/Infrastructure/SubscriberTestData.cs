using System.Text;
using Newsletter.Sender.Tests.Infrastructure;
using Newsletter.TestSupport;
using static Newsletter.TestSupport.SubscriberRows;

namespace Newsletter.Sender.Tests.Infrastructure;

/// <summary>What the subscriber tests of the HTTP host need beside <see cref="SubscriberRows"/>: request bodies, and waiting for the outbox.</summary>
internal static class SubscriberTestData
{
    /// <summary>
    /// Waits (with a deadline) until the outbox has no mail left to send, so a test can then assert that no more
    /// files than expected were written.
    /// </summary>
    public static async Task WaitForOutboxDrainedAsync(ServiceFactory service, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (await CountAsync(service, "outbox", "state in ('pending', 'deferred', 'sending')") > 0)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("the outbox still has mail to send");
            await Task.Delay(50);
        }
    }

    public static StringContent Csv(string text) => new(text, Encoding.UTF8, "text/csv");

    public static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");
}
