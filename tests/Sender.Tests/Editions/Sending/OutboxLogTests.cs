using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;
using Newsletter.Sender.Tests.Infrastructure;
using Newsletter.TestSupport;

namespace Newsletter.Sender.Tests.Editions.Sending;

/// <summary>What the logs say when a transactional mail is refused: the provider's answer, not the reader's address.</summary>
public sealed class OutboxLogTests
{
    [Fact]
    public async Task A_refused_confirmation_is_logged_without_the_recipients_address()
    {
        using var sink = SmtpSink.Start(new SmtpSinkOptions { HardReject = "rcpt", HardRejectReply = "550 5.1.1 <Jane.Doe@example.org>: Recipient address rejected" });
        var logs = new LogCapture();
        using var service = await ServiceFactory.CreateAsync(new Dictionary<string, string?>
        {
            ["Smtp:Mode"] = "Smtp",
            ["Smtp:Host"] = sink.Host,
            ["Smtp:Port"] = sink.Port.ToString(CultureInfo.InvariantCulture),
            ["Smtp:Security"] = "None",
        });
        using var logged = service.WithWebHostBuilder(b => b.ConfigureLogging(l => l.AddProvider(logs)));
        using var client = logged.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri("https://news.example.com") });

        using var signup = await client.PostAsJsonAsync("/subscribe", new { email = "jane.doe@example.org" });
        Assert.Equal(HttpStatusCode.Accepted, signup.StatusCode);

        Assert.True(await Eventually.TrueAsync(() => logs.Messages.Any(m => m.StartsWith("outbox ", StringComparison.Ordinal)), TimeSpan.FromSeconds(20)),
            "no outbox warning logged:\n" + string.Join("\n", logs.Messages));
        var warning = logs.Messages.First(m => m.StartsWith("outbox ", StringComparison.Ordinal));
        Assert.Contains("550", warning, StringComparison.Ordinal);
        Assert.Contains("***@example.org", warning, StringComparison.Ordinal);
        Assert.DoesNotContain(logs.Messages, m => m.Contains("jane.doe", StringComparison.OrdinalIgnoreCase));
    }
}
