using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Newsletter.Templates;

public static class TemplatesServiceCollectionExtensions
{
    /// <summary>
    /// The email templates (section <c>Templates</c>), the <see cref="EmailRenderer"/>, and a start-up check that
    /// compiles them in the background and reports each broken override in one line (the service starts anyway).
    /// </summary>
    public static IServiceCollection AddEmailTemplates(this IServiceCollection services)
    {
        services.AddOptions<TemplatesOptions>().BindConfiguration("Templates");
        services.AddSingleton(sp => EmailTemplates.ForDirectory(sp.GetRequiredService<IOptions<TemplatesOptions>>().Value.Directory));
        services.AddSingleton<EmailRenderer>();
        services.AddHostedService<TemplateWarmUp>();
        return services;
    }
}
