using Microsoft.AspNetCore.Http.Features;

namespace Newsletter.Sender.Public;

/// <summary>
/// Caps the request body of every public route (everything outside <c>/admin</c>, <c>/api</c> and <c>/webhooks</c>, which
/// have limits of their own) at <see cref="MaxBytes"/>: a declared Content-Length above it is answered 413 at once, and a body sent
/// without one (chunked) stops with <see cref="BadHttpRequestException"/> 413 at the first byte past the cap.
/// </summary>
public static class PublicBodyLimit
{
    /// <summary>The largest public body: a signup form or JSON, a one-click unsubscribe, an empty confirm form.</summary>
    public const int MaxBytes = 16 * 1024;

    public static IApplicationBuilder UsePublicBodyLimit(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var path = context.Request.Path;
        if (path.StartsWithSegments("/admin", StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
            || path.StartsWithSegments("/webhooks", StringComparison.OrdinalIgnoreCase))
        {
            await next(context);
            return;
        }
        if (context.Request.ContentLength > MaxBytes)
        {
            await TooLarge().ExecuteAsync(context);
            return;
        }
        // Kestrel's own limit also bounds what it drains of a body the handler never read; the wrapper enforces the cap
        // where that feature is absent or already fixed.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = MaxBytes;
        context.Request.Body = new CappedReadStream(context.Request.Body, MaxBytes);
        await next(context);
    });

    /// <summary>Whether reading the body failed because it passed the cap (here or in Kestrel; a parser may wrap it).</summary>
    public static bool IsTooLarge(Exception exception)
        => exception is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge }
            || exception.InnerException is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge };

    /// <summary>
    /// Reads and discards a body the endpoint has no use for, so an oversized one is refused (413) here too rather than
    /// left for the server to drain. True when it was within the cap.
    /// </summary>
    public static async Task<bool> DiscardAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            await request.Body.CopyToAsync(Stream.Null, cancellationToken);
            return true;
        }
        catch (BadHttpRequestException e) when (IsTooLarge(e))
        {
            return false;
        }
    }

    public static IResult TooLarge()
        => TypedResults.Problem(title: "Request too large", detail: $"The body is larger than {MaxBytes / 1024} KB.",
            statusCode: StatusCodes.Status413PayloadTooLarge);
}
