using Newsletter.Sender.Admin;
using Newsletter.Sender.Api;
using Newsletter.Comparisons;
using Newsletter.Sender.Editions;
using Newsletter.Sender.Jobs;
using Newsletter.Sender.Public;

namespace Newsletter.Sender.Hosting;

/// <summary>The composition root: each area registers itself; Program.cs only calls these two.</summary>
public static class NewsletterHost
{
    public static WebApplicationBuilder AddNewsletter(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddNewsletterConfiguration();
        builder.AddDatabase();
        builder.AddSecurity();
        builder.AddWeb();
        builder.AddSubscriberEndpoints();
        builder.AddComparisons();
        builder.AddEditions();
        builder.AddTracking();
        builder.AddWebhooks();
        builder.AddDelivery();
        builder.AddScheduling();
        builder.AddAdmin();
        builder.AddTelemetry();
        builder.AddApiReference();
        return builder;
    }

    /// <summary>
    /// Builds the application and checks every setting, so each command stops before doing anything with one line per
    /// missing or bad setting (<see cref="ConfigurationErrorException"/>).
    /// </summary>
    public static WebApplication BuildNewsletter(this WebApplicationBuilder builder)
    {
        var app = builder.Build();
        try
        {
            ConfigurationCheck.ThrowIfInvalid(app.Services);
        }
        catch (ConfigurationErrorException)
        {
            ((IDisposable)app).Dispose();
            throw;
        }
        return app;
    }

    public static WebApplication MapNewsletter(this WebApplication app)
    {
        app.MapMetrics(); // first: the metrics port answers /metrics and nothing else
        app.UseForwardedHeaders();
        app.UseAdminSecurityHeaders();
        app.UsePublicSecurityHeaders();
        app.UsePublicBodyLimit();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseStaticFiles();
        app.UseCors();
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapHealth();
        app.MapSubscriberEndpoints();
        app.MapArchiveEndpoints();
        app.MapTrackingEndpoints();
        app.MapFeedEndpoints();
        app.MapProviderWebhooks();
        var api = app.MapApiGroup();
        api.MapComparisonApi();
        api.MapEditionApi();
        api.MapReportApi();
        api.MapSubscriberApiEndpoints();
        app.MapAdmin();
        app.MapApiReference();
        return app;
    }
}
