using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Newsletter.Templates;

/// <summary>
/// Compiles every template once in the background at start-up, so the first edition or confirmation does not wait
/// for the compiler, and logs one line per template that cannot be used. Then the compiler goes at once rather than
/// after its idle delay: every template is compiled, and a send triggered right after start (a catch-up of a missed
/// slot) would otherwise carry the compiler's memory through its first seconds.
/// </summary>
internal sealed class TemplateWarmUp(EmailTemplates templates, ILogger<TemplateWarmUp> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        try
        {
            foreach (var t in await templates.CheckAsync(stoppingToken))
            {
                if (t.Error is not null)
                {
                    logger.LogError("{Error} ({Source}); mail that uses it waits until the file is fixed", t.Error,
                                    t.Override ? "override in " + templates.Directory : "built-in default");
                }
            }
            templates.ReleaseCompiler();
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
