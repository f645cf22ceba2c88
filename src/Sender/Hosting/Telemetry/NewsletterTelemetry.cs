using System.Diagnostics;

namespace Newsletter.Sender.Hosting;

/// <summary>The names our meters and traces go by: one meter and one activity source, both "Newsletter".</summary>
public static class NewsletterTelemetry
{
    public const string Name = "Newsletter";

    /// <summary>Spans of delivery batches and Hangfire jobs; without a listener StartActivity returns null and costs nothing.</summary>
    public static readonly ActivitySource Source = new(Name);
}
