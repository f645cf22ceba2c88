using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Newsletter.Sender.Hosting;

/// <summary>
/// OpenTelemetry: our meter, ASP.NET Core's and Npgsql's, exported in Prometheus text format at <c>/metrics</c>
/// (<see cref="MetricsOptions"/>), and over OTLP with traces (HTTP requests, jobs, delivery batches, database calls)
/// when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.
/// </summary>
public static class TelemetryExtensions
{
    public const string ScrapePath = "/metrics";
    private const string OtlpEndpoint = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static WebApplicationBuilder AddTelemetry(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<QueueGauges>();
        var settings = builder.Configuration.GetSection(MetricsOptions.Section).Get<MetricsOptions>() ?? new MetricsOptions();
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpoint]);
        if (!settings.Enabled || (!settings.Served && !otlp)) return builder;

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("newsletter", serviceInstanceId: builder.Configuration[$"{ServiceOptions.Section}:{nameof(ServiceOptions.InstanceName)}"]))
            .WithMetrics(m =>
            {
                m.AddMeter(NewsletterTelemetry.Name).AddAspNetCoreInstrumentation().AddNpgsqlInstrumentation();
                if (settings.Served) m.AddPrometheusExporter();
                if (otlp) m.AddOtlpExporter();
            });
        if (otlp)
        {
            telemetry.WithTracing(t => t
                .AddSource(NewsletterTelemetry.Name)
                .AddAspNetCoreInstrumentation(o => o.Filter = http => !http.Request.Path.StartsWithSegments(ScrapePath))
                .AddNpgsql()
                .AddOtlpExporter());
        }
        if (settings.Port is { } port)
        {
            // In addition to the service's own URLs (ASPNETCORE_URLS), not instead of them.
            var urls = builder.Configuration[WebHostDefaults.ServerUrlsKey];
            var host = IPAddress.TryParse(settings.Address, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
                ? $"[{settings.Address}]" : settings.Address;
            var metricsUrl = string.Create(CultureInfo.InvariantCulture, $"http://{host}:{port}");
            builder.WebHost.UseUrls(string.IsNullOrWhiteSpace(urls) ? ["http://localhost:5000", metricsUrl] : [.. urls.Split(';', StringSplitOptions.RemoveEmptyEntries), metricsUrl]);
        }
        return builder;
    }

    /// <summary>
    /// <c>/metrics</c>: on the metrics port only when one is set (nothing else answers there, and the service's port does
    /// not serve it), and behind the bearer token when one is set.
    /// </summary>
    public static WebApplication MapMetrics(this WebApplication app)
    {
        var settings = app.Services.GetRequiredService<IOptions<MetricsOptions>>().Value;
        if (settings.Port is { } port)
        {
            // Everything but /metrics on the metrics port is refused, so it exposes nothing else of the service.
            app.Use((context, next) => context.Connection.LocalPort == port && !context.Request.Path.Equals(ScrapePath, StringComparison.Ordinal)
                ? Refuse(context, StatusCodes.Status404NotFound) : next(context));
        }
        if (!settings.Served) return app;
        app.Services.GetRequiredService<QueueGauges>();
        var endpoint = app.MapPrometheusScrapingEndpoint(ScrapePath, meterProvider: null, configureBranchedPipeline: branch => branch.Use((context, next) =>
        {
            if (settings.Port is { } p && context.Connection.LocalPort != p) return Refuse(context, StatusCodes.Status404NotFound);
            if (!string.IsNullOrEmpty(settings.Token) && !TokenMatches(context.Request.Headers.Authorization, settings.Token))
            {
                context.Response.Headers.WWWAuthenticate = "Bearer";
                return Refuse(context, StatusCodes.Status401Unauthorized);
            }
            return next(context);
        }), optionsName: null);
        return app;
    }

    private static Task Refuse(HttpContext context, int status)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(status == StatusCodes.Status401Unauthorized ? "a metrics token is required: Authorization: Bearer <Metrics__Token>\n" : "not found\n");
    }

    private static bool TokenMatches(string? header, string token)
    {
        if (header is null || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return false;
        return CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(header[7..].Trim())), SHA256.HashData(Encoding.UTF8.GetBytes(token)));
    }
}
