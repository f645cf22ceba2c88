using Newsletter.Sender.Hosting;

namespace Newsletter.Sender.Editions;

public static class EditionsExtensions
{
    /// <summary>The edition lifecycle's services; the queuer runs only where deliveries are sent (role worker or all).</summary>
    public static IHostApplicationBuilder AddEditions(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<EditionService>();
        builder.Services.AddSingleton<SubscriberActivity>();
        if (ServiceOptions.RoleIn(builder.Configuration) != ServiceRole.Web) builder.Services.AddHostedService<EditionQueuer>();
        return builder;
    }
}
