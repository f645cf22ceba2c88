using System.Net;
using System.Text;
using System.Text.Json;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Newsletter.Sender.Editions;
using Newsletter.Sender.Hosting;
using Newsletter.Sender.Jobs;
using Newsletter.Subscribers;
using Newsletter.Templates;
using Newsletter.Templates.Pages;

namespace Newsletter.Sender.Public;

/// <summary>The reader's endpoints: the signup box, confirm and unsubscribe links.</summary>
public static class SubscriberEndpoints
{
    public const string SignupRateLimit = "signup";
    public const string UnsubscribeRateLimit = "unsubscribe";
    public const string SignupCors = "signup-box";
    public const string HoneypotField = "website";

    /// <summary>The subscriber services (src/Subscribers) and what the reader's endpoints need: the signup rate limit and CORS (the purge is a recurring job, see Scheduling).</summary>
    public static IHostApplicationBuilder AddSubscriberEndpoints(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHostedService<SuppressionRekeyService>();
        builder.Services.AddSubscribers();
        builder.Services.AddSubscriberDepartures();
        builder.AddBounceMailbox();

        // Per client IP: at most N signups a minute (Subscribers__MaxSignupsPerIpPerMinute), then 429 + Retry-After.
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(SignupRateLimit, context =>
            {
                var perMinute = context.RequestServices.GetRequiredService<IOptions<SubscribersOptions>>().Value.MaxSignupsPerIpPerMinute;
                var time = context.RequestServices.GetRequiredService<TimeProvider>();
                return RateLimitPartition.Get(context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                    _ => new ClockFixedWindowRateLimiter(perMinute, TimeSpan.FromMinutes(1), time));
            });
            // Per client IP: unsubscribe POSTs (Subscribers__MaxUnsubscribesPerIpPerMinute), so nobody can hammer the
            // token check and the database; generous, since mail providers send their users' one-click POSTs from few addresses.
            limiter.AddPolicy(UnsubscribeRateLimit, context =>
            {
                var perMinute = context.RequestServices.GetRequiredService<IOptions<SubscribersOptions>>().Value.MaxUnsubscribesPerIpPerMinute;
                var time = context.RequestServices.GetRequiredService<TimeProvider>();
                return RateLimitPartition.Get(context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                    _ => new ClockFixedWindowRateLimiter(perMinute, TimeSpan.FromMinutes(1), time));
            });
            limiter.OnRejected = async (context, ct) =>
            {
                var retry = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromMinutes(1);
                var what = context.HttpContext.Request.Path.StartsWithSegments("/unsubscribe") ? "unsubscribe requests" : "signups";
                await WriteTooManyAsync(context.HttpContext, retry, $"Too many {what} from your network; please try again in a minute.", ct);
            };
        });

        // The signup box lives on the comparison site: allow its origin to post here.
        builder.Services.AddCors();
        builder.Services.AddOptions<Microsoft.AspNetCore.Cors.Infrastructure.CorsOptions>()
            .Configure<IOptions<SiteOptions>>((cors, site) => cors.AddPolicy(SignupCors, policy =>
            {
                var origin = new Uri(site.Value.ComparisonBaseUrl).GetLeftPart(UriPartial.Authority);
                policy.WithOrigins(origin).WithMethods("POST").WithHeaders("Content-Type", "Accept");
            }));
        return builder;
    }

    public static IEndpointRouteBuilder MapSubscriberEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", (SiteInfoProvider site, string? source) => Page<SignupPage>(new { Site = site.Get(), Source = source }));
        app.MapGet("/subscribe", (SiteInfoProvider site, string? source) => Page<SignupPage>(new { Site = site.Get(), Source = source }));
        app.MapPost("/subscribe", SubscribeAsync).RequireRateLimiting(SignupRateLimit).RequireCors(SignupCors).DisableAntiforgery();
        app.MapMethods("/confirm/{token}", ["HEAD"], HeadConfirmAsync);
        app.MapGet("/confirm/{token}", AskConfirmAsync);
        // The token in the path is the secret, so a forged cross-site POST cannot know it: no antiforgery cookie needed.
        app.MapPost("/confirm/{token}", ConfirmAsync).DisableAntiforgery();
        app.MapGet("/unsubscribe/{token}", AskUnsubscribeAsync);
        app.MapPost("/unsubscribe/{token}", UnsubscribeAsync).RequireRateLimiting(UnsubscribeRateLimit).DisableAntiforgery();
        return app;
    }

    private sealed record SignupJson(string? Email, string? Website, string? Source);

    /// <summary>
    /// POST /subscribe: the signup box's form post, or JSON. The answer is the same for a new, pending, confirmed or
    /// unsubscribed address. The honeypot filled gets the same answer and nothing is stored or sent.
    /// </summary>
    private static async Task<IResult> SubscribeAsync(HttpContext http, SubscriberService subscribers, SiteInfoProvider site,
        DeliverySignal signal, CancellationToken ct)
    {
        var request = http.Request;
        var wantsJson = request.HasJsonContentType() || request.Headers.Accept.Any(a => a?.Contains("application/json", StringComparison.OrdinalIgnoreCase) == true);
        string? email, honeypot, source;
        try
        {
            if (request.HasJsonContentType())
            {
                var body = await JsonSerializer.DeserializeAsync<SignupJson>(request.Body, JsonSerializerOptions.Web, ct);
                (email, honeypot, source) = (body?.Email, body?.Website, body?.Source);
            }
            else if (request.HasFormContentType)
            {
                var form = await request.ReadFormAsync(ct);
                (email, honeypot, source) = (form["email"], form[HoneypotField], form["source"]);
            }
            else
            {
                return Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported content type",
                    "Send a form (application/x-www-form-urlencoded) or JSON ({\"email\": \"...\"}).");
            }
        }
        catch (Exception e) when (PublicBodyLimit.IsTooLarge(e))
        {
            return PublicBodyLimit.TooLarge();
        }
        catch (Exception e) when (e is JsonException or InvalidDataException or BadHttpRequestException or DecoderFallbackException)
        {
            return wantsJson
                ? Problem(StatusCodes.Status400BadRequest, "Malformed request", e.Message)
                : Page<SignupPage>(new { Site = site.Get(), ErrorMessage = "We could not read that form. Please try again." }, StatusCodes.Status400BadRequest);
        }

        var normalized = SubscriberService.Normalize(email, out var error);
        if (!string.IsNullOrEmpty(honeypot))
        {
            // A bot filled the hidden field: look accepted, store nothing, send nothing.
            return Accepted(wantsJson, site, normalized ?? email);
        }

        var result = await subscribers.SignupAsync(new SignupRequest(email, http.Connection.RemoteIpAddress,
            http.Request.Headers.UserAgent.ToString(), source), ct);
        switch (result.Status)
        {
            case SignupStatus.Invalid:
                return wantsJson
                    ? TypedResults.Problem(new ProblemDetails
                    {
                        Status = StatusCodes.Status400BadRequest, Title = "Invalid email address", Detail = result.Error,
                        Extensions = { ["errors"] = new Dictionary<string, string[]> { ["email"] = [result.Error!] } },
                    })
                    : Page<SignupPage>(new { Site = site.Get(), Email = email, ErrorMessage = result.Error, Source = source }, StatusCodes.Status400BadRequest);
            case SignupStatus.RateLimited:
                await WriteTooManyAsync(http, result.RetryAfter ?? TimeSpan.FromHours(1), result.Error!, ct);
                return TypedResults.Empty;
            default:
                signal.Poke();
                return Accepted(wantsJson, site, result.NormalizedEmail);
        }
    }

    private static IResult Accepted(bool json, SiteInfoProvider site, string? email)
        => json
            ? TypedResults.Json(new { status = "pending", message = "Check your inbox: we sent you a link to confirm your subscription." },
                statusCode: StatusCodes.Status202Accepted)
            : Page<CheckInboxPage>(new { Site = site.Get(), Email = email }, StatusCodes.Status202Accepted);

    /// <summary>HEAD never confirms: link scanners and prefetchers must not use the token.</summary>
    private static async Task<IResult> HeadConfirmAsync(string token, SubscriberService subscribers, CancellationToken ct)
        => await subscribers.PeekAsync(token, ct) == ConfirmOutcome.ExpiredOrInvalid ? TypedResults.NotFound() : TypedResults.Ok();

    /// <summary>
    /// GET /confirm/{token} shows a page with one button and changes nothing: corporate mail filters fetch every link
    /// of a message as it arrives, and must not confirm an address its owner never saw.
    /// </summary>
    private static async Task<IResult> AskConfirmAsync(string token, SubscriberService subscribers, SiteInfoProvider site, CancellationToken ct)
    {
        var outcome = await subscribers.PeekAsync(token, ct);
        var pageOutcome = outcome switch
        {
            ConfirmOutcome.Confirmed => ConfirmPageState.Ask,
            ConfirmOutcome.AlreadyConfirmed => ConfirmPageState.AlreadyConfirmed,
            _ => ConfirmPageState.ExpiredOrInvalid,
        };
        return Page<ConfirmResultPage>(new { Site = site.Get(), Outcome = pageOutcome, Token = token },
            outcome == ConfirmOutcome.ExpiredOrInvalid ? StatusCodes.Status404NotFound : StatusCodes.Status200OK);
    }

    /// <summary>POST /confirm/{token}: the page's button confirms.</summary>
    private static async Task<IResult> ConfirmAsync(string token, HttpContext http, SubscriberService subscribers, SiteInfoProvider site,
        DeliverySignal signal, CancellationToken ct)
    {
        if (!await PublicBodyLimit.DiscardAsync(http.Request, ct)) return PublicBodyLimit.TooLarge();
        var outcome = await subscribers.ConfirmAsync(token, http.Connection.RemoteIpAddress, ct);
        if (outcome == ConfirmOutcome.Confirmed) signal.Poke();
        var pageOutcome = outcome switch
        {
            ConfirmOutcome.Confirmed => ConfirmPageState.Confirmed,
            ConfirmOutcome.AlreadyConfirmed => ConfirmPageState.AlreadyConfirmed,
            _ => ConfirmPageState.ExpiredOrInvalid,
        };
        return Page<ConfirmResultPage>(new { Site = site.Get(), Outcome = pageOutcome },
            outcome == ConfirmOutcome.ExpiredOrInvalid ? StatusCodes.Status404NotFound : StatusCodes.Status200OK);
    }

    private static async Task<IResult> AskUnsubscribeAsync(string token, SubscriberService subscribers, SiteInfoProvider site, CancellationToken ct)
    {
        var state = await subscribers.CheckUnsubscribeAsync(token, ct);
        var outcome = state switch
        {
            null => UnsubscribePageState.Ask,
            UnsubscribeOutcome.AlreadyUnsubscribed => UnsubscribePageState.AlreadyUnsubscribed,
            _ => UnsubscribePageState.Invalid,
        };
        return Page<UnsubscribePage>(new { Site = site.Get(), Outcome = outcome, Token = token },
            outcome == UnsubscribePageState.Invalid ? StatusCodes.Status404NotFound : StatusCodes.Status200OK);
    }

    /// <summary>
    /// POST /unsubscribe/{token}: the page's button, or a mail client's RFC 8058 one-click POST
    /// (body <c>List-Unsubscribe=One-Click</c>, no cookies, no CSRF token), which gets a plain 200.
    /// </summary>
    private static async Task<IResult> UnsubscribeAsync(string token, HttpContext http, SubscriberService subscribers, UnsubscribeTokens tokens,
        SiteInfoProvider site, DeliverySignal signal, CancellationToken ct)
    {
        // The token first (an HMAC, no database): a forged link gets nothing read, parsed or stored.
        if (!tokens.TryVerify(token, out _, out _))
            return Page<UnsubscribePage>(new { Site = site.Get(), Outcome = UnsubscribePageState.Invalid, Token = token }, StatusCodes.Status404NotFound);
        var oneClick = false;
        if (http.Request.HasFormContentType)
        {
            try
            {
                var form = await http.Request.ReadFormAsync(ct);
                oneClick = string.Equals(form["List-Unsubscribe"], "One-Click", StringComparison.Ordinal);
            }
            catch (Exception e) when (PublicBodyLimit.IsTooLarge(e))
            {
                return PublicBodyLimit.TooLarge();
            }
            catch (Exception e) when (e is InvalidDataException or BadHttpRequestException or DecoderFallbackException)
            {
                return Problem(StatusCodes.Status400BadRequest, "Malformed request", "The form could not be read.");
            }
        }
        var outcome = await subscribers.UnsubscribeAsync(token, oneClick ? "one-click unsubscribe" : "unsubscribe page", ct);
        if (outcome == UnsubscribeOutcome.Unsubscribed) signal.Poke();
        if (oneClick)
        {
            return outcome == UnsubscribeOutcome.Invalid
                ? Problem(StatusCodes.Status404NotFound, "Unknown unsubscribe link", "This unsubscribe link is not valid.")
                : TypedResults.Text("You are unsubscribed.\n", "text/plain", statusCode: StatusCodes.Status200OK);
        }
        var pageOutcome = outcome switch
        {
            UnsubscribeOutcome.Unsubscribed => UnsubscribePageState.Done,
            UnsubscribeOutcome.AlreadyUnsubscribed => UnsubscribePageState.AlreadyUnsubscribed,
            _ => UnsubscribePageState.Invalid,
        };
        return Page<UnsubscribePage>(new { Site = site.Get(), Outcome = pageOutcome, Token = token },
            pageOutcome == UnsubscribePageState.Invalid ? StatusCodes.Status404NotFound : StatusCodes.Status200OK);
    }

    internal static IResult Page<TComponent>(object parameters, int status = StatusCodes.Status200OK)
        where TComponent : Microsoft.AspNetCore.Components.IComponent
        => new RazorComponentResult<TComponent>(parameters) { StatusCode = status };

    internal static IResult Problem(int status, string title, string detail)
        => TypedResults.Problem(title: title, detail: detail, statusCode: status);

    private static async Task WriteTooManyAsync(HttpContext http, TimeSpan retryAfter, string detail, CancellationToken ct)
    {
        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        http.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        http.Response.ContentType = "application/problem+json";
        await http.Response.WriteAsJsonAsync(new ProblemDetails { Status = 429, Title = "Too many requests", Detail = detail },
            (JsonSerializerOptions?)null, "application/problem+json", ct);
    }
}
