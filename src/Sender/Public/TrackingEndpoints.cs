using System.Globalization;
using Microsoft.Extensions.Options;
using Newsletter.Sender.Editions;
using Newsletter.Sender.Hosting;
using Newsletter.Templates.Pages;

namespace Newsletter.Sender.Public;

/// <summary>The tracked-link redirect <c>/r/{edition}/{link}</c> and the open pixel <c>/o/{edition}.gif</c>.</summary>
public static class TrackingEndpoints
{
    // The smallest transparent GIF (1×1).
    private static readonly byte[] Pixel = Convert.FromBase64String("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7");

    public static IHostApplicationBuilder AddTracking(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ClickTokens>();
        builder.Services.AddSingleton<ClickSlots>();
        builder.Services.AddSingleton<EditionLinks>();
        builder.Services.AddSingleton<ClickRecorder>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ClickRecorder>());
        builder.Services.AddSingleton<EditionReports>();
        return builder;
    }

    public static IEndpointRouteBuilder MapTrackingEndpoints(this IEndpointRouteBuilder app)
    {
        // Answers with the stored target only: the URL names an edition and a link number, never a destination, so
        // nothing here can redirect elsewhere. Counting happens after the answer and cannot fail it.
        app.MapMethods("/r/{edition:long}/{link:int}", [HttpMethods.Get, HttpMethods.Head], async Task<IResult> (long edition, int link, HttpContext http,
            EditionLinks links, ClickRecorder recorder, ClickTokens tokens, SiteInfoProvider site, IOptions<TrackingOptions> options, TimeProvider time,
            CancellationToken ct) =>
        {
            var target = await links.FindAsync(edition, link, ct);
            if (target is null)
                return SubscriberEndpoints.Page<ErrorPage>(new { Site = site.Get(), Title = "Link not found", Message = "This link is not one we sent." },
                    StatusCodes.Status404NotFound);
            http.Response.Headers.CacheControl = "no-store";
            var o = options.Value;
            if (o.Clicks != ClickTracking.Off)
            {
                var request = http.Request;
                var now = time.GetUtcNow();
                long? stamp = long.TryParse(request.Query["d"], NumberStyles.None, CultureInfo.InvariantCulture, out var d) ? d : null;
                var machine = MachineClicks.IsMachine(request.Method, request.Headers.UserAgent, stamp, now, o.MachineClickWindow, o.MachineUserAgents);
                long? subscriber = null;
                if (o.Clicks == ClickTracking.Individual && tokens.TryVerify(request.Query["t"], out var id, out var tokenEdition) && tokenEdition == edition)
                    subscriber = id;
                recorder.Record(new Click(edition, link, machine, subscriber, now));
            }
            return TypedResults.Redirect(target.Url);
        }).ExcludeFromDescription();

        app.MapMethods("/o/{edition:long}.gif", [HttpMethods.Get, HttpMethods.Head], (long edition, HttpContext http, ClickRecorder recorder,
            IOptions<TrackingOptions> options, TimeProvider time) =>
        {
            var o = options.Value;
            if (o.Opens == OpenTracking.On)
            {
                var request = http.Request;
                var now = time.GetUtcNow();
                long? stamp = long.TryParse(request.Query["d"], NumberStyles.None, CultureInfo.InvariantCulture, out var d) ? d : null;
                recorder.Record(new Click(edition, 0, MachineClicks.IsMachine(request.Method, request.Headers.UserAgent, stamp, now, o.MachineClickWindow, o.MachineUserAgents),
                    null, now));
            }
            http.Response.Headers.CacheControl = "no-store";
            return TypedResults.Bytes(Pixel, "image/gif");
        }).ExcludeFromDescription();
        return app;
    }
}
