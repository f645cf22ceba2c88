using Newsletter.Sender.Hosting;

namespace Newsletter.Sender.Jobs;

public static class WebhookExtensions
{
    /// <summary>The outgoing webhook dispatcher (instances that run jobs) and its HTTP client.</summary>
    public static IHostApplicationBuilder AddWebhooks(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHttpClient(WebhookDispatcher.HttpClientName, c =>
        {
            c.Timeout = Timeout.InfiniteTimeSpan; // each post has its own timeout (Webhooks__Timeout)
            c.DefaultRequestHeaders.UserAgent.ParseAdd("newsletter-webhooks/1");
        }).ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(5),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AllowAutoRedirect = false,
        });
        builder.Services.AddSingleton<WebhookDispatcher>();
        builder.Services.AddSingleton<WebhookFailures>();
        if (ServiceOptions.RoleIn(builder.Configuration) != ServiceRole.Web)
            builder.Services.AddHostedService(sp => sp.GetRequiredService<WebhookDispatcher>());
        return builder;
    }
}
