using Newsletter.Templates;
using Newsletter.Sender.Hosting;

namespace Newsletter.Sender.Public;

public static class WebExtensions
{
    /// <summary>What the public pages and emails are rendered with, and problem+json for errors.</summary>
    public static IHostApplicationBuilder AddWeb(this IHostApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.Services.AddRazorComponents();
        builder.Services.AddEmailTemplates();
        builder.Services.AddSingleton<SiteInfoProvider>();
        builder.Services.AddSingleton<ScheduleDescription>();
        return builder;
    }
}
