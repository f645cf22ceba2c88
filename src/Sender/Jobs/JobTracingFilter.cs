using System.Diagnostics;
using Hangfire.Server;
using Newsletter.Sender.Hosting;

namespace Newsletter.Sender.Jobs;

/// <summary>A span around every Hangfire job run (the weekly edition, the purge), named after the job's method.</summary>
public sealed class JobTracingFilter : IServerFilter
{
    private const string Key = "newsletter.activity";

    public void OnPerforming(PerformingContext context)
    {
        var job = context.BackgroundJob.Job;
        var activity = NewsletterTelemetry.Source.StartActivity($"job {job.Type.Name}.{job.Method.Name}", ActivityKind.Internal);
        if (activity is null) return;
        activity.SetTag("job.id", context.BackgroundJob.Id);
        context.Items[Key] = activity;
    }

    public void OnPerformed(PerformedContext context)
    {
        if (!context.Items.TryGetValue(Key, out var value) || value is not Activity activity) return;
        if (context.Exception is { } e) activity.SetStatus(ActivityStatusCode.Error, e.Message);
        activity.Dispose();
    }
}
