using Microsoft.Extensions.Options;
using Newsletter.Sender.Admin;
using Newsletter.Comparisons;
using Newsletter.Sender.Comparisons;
using Newsletter.Sender.Configuration;
using Newsletter.Sender.Data;
using Newsletter.Sender.Delivery;
using Newsletter.Sender.Editions;
using Newsletter.Sender.Scheduling;
using Newsletter.Sender.Security;
using Newsletter.Sender.Subscribers;
using Newsletter.Sender.Web;
using Newsletter.Templates;
using Npgsql;

namespace Newsletter.Sender.Hosting;

/// <summary>The composition root: each area registers itself; Program.cs only calls these two.</summary>
public static class NewsletterHost
{
    public static WebApplicationBuilder AddNewsletter(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddNewsletterConfiguration();
        builder.AddDatabase();
        builder.Services.AddSingleton<MigrationHostedService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<MigrationHostedService>());
        builder.AddSecurity();
        builder.Services.AddProblemDetails();
        builder.Services.AddRazorComponents();
        builder.Services.AddSingleton<EmailRenderer>();
        builder.Services.AddSingleton<SiteInfoProvider>();
        builder.Services.AddSingleton<ScheduleDescription>();
        builder.AddSubscribers();
        builder.AddSubscriberApi();
        builder.AddComparisons();
        builder.AddEditions();
        builder.AddDelivery();
        builder.AddScheduling();
        builder.AddAdmin();
        builder.Services.AddOptions<Microsoft.AspNetCore.Builder.ForwardedHeadersOptions>()
            .Configure<IOptions<ServiceOptions>>((forwarded, service) =>
            {
                forwarded.ForwardedHeaders = Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedFor
                                             | Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedProto;
                foreach (var proxy in service.Value.TrustedProxies)
                    if (System.Net.IPAddress.TryParse(proxy, out var address)) forwarded.KnownProxies.Add(address);
            });
        return builder;
    }

    public static WebApplication MapNewsletter(this WebApplication app)
    {
        app.UseForwardedHeaders();
        app.UseAdminSecurityHeaders();
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
        var api = app.MapApiGroup();
        api.MapComparisonApi();
        api.MapEditionApi();
        api.MapSubscriberApi();
        app.MapAdmin();
        return app;
    }
}
