using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Newsletter.Subscribers.Tests;

public class OptionsTests
{
    private static ServiceProvider Provider(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddSubscribers();
        return services.BuildServiceProvider();
    }

    [Fact]
    public void The_subscribers_section_is_bound_once_with_its_defaults()
    {
        using var provider = Provider(new()
        {
            ["Subscribers:UnsubscribeKeys:0"] = new string('k', 32), ["Subscribers:SuppressionKey"] = new string('s', 32), ["Subscribers:SoftBounceLimit"] = "5",
        });

        var options = provider.GetRequiredService<IOptions<SubscribersOptions>>().Value;

        Assert.Same(options, provider.GetRequiredService<SubscribersOptions>());
        Assert.Equal(5, options.SoftBounceLimit);
        Assert.Equal(TimeSpan.FromHours(48), options.ConfirmationTtl);
        Assert.Equal(20, options.MaxSignupsPerIpPerMinute);
        Assert.Equal(100, options.ImportConfirmationsPerMinute);
    }

    [Fact]
    public void A_missing_or_short_unsubscribe_key_is_refused_naming_its_environment_variable()
    {
        using var missing = Provider([]);
        using var shortKey = Provider(new() { ["Subscribers:UnsubscribeKeys:0"] = "short" });

        var noKey = Assert.Throws<OptionsValidationException>(() => missing.GetRequiredService<IOptions<SubscribersOptions>>().Value);
        var tooShort = Assert.Throws<OptionsValidationException>(() => shortKey.GetRequiredService<IOptions<SubscribersOptions>>().Value);

        Assert.Contains("Subscribers__UnsubscribeKeys__0 is required", noKey.Message, StringComparison.Ordinal);
        Assert.Contains("Subscribers__UnsubscribeKeys__0 must be at least 32 characters", tooShort.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_or_short_suppression_key_is_refused_naming_its_environment_variable()
    {
        using var missing = Provider(new() { ["Subscribers:UnsubscribeKeys:0"] = new string('k', 32) });
        using var shortKey = Provider(new() { ["Subscribers:UnsubscribeKeys:0"] = new string('k', 32), ["Subscribers:SuppressionKey"] = "short" });

        var noKey = Assert.Throws<OptionsValidationException>(() => missing.GetRequiredService<IOptions<SubscribersOptions>>().Value);
        var tooShort = Assert.Throws<OptionsValidationException>(() => shortKey.GetRequiredService<IOptions<SubscribersOptions>>().Value);

        Assert.Contains("Subscribers__SuppressionKey is required", noKey.Message, StringComparison.Ordinal);
        Assert.Contains("Subscribers__SuppressionKey must be at least 32 characters", tooShort.Message, StringComparison.Ordinal);
    }
}

public class ConfirmationPayloadTests
{
    [Fact]
    public void The_payload_reads_back_what_it_wrote_under_its_property_names()
    {
        var payload = new ConfirmationPayload("tok-123", new DateTimeOffset(2026, 12, 1, 22, 0, 0, TimeSpan.Zero));

        using var json = JsonDocument.Parse(payload.ToJson());

        Assert.Equal("tok-123", json.RootElement.GetProperty(ConfirmationPayload.TokenProperty).GetString());
        Assert.Equal(payload, ConfirmationPayload.FromJson(json.RootElement));
    }
}
