using System.Net;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;
using Newsletter.Sender.Configuration;

namespace Newsletter.Sender.Security;

public static class SecurityExtensions
{
    public const string ApiPolicy = "api";

    public static IHostApplicationBuilder AddSecurity(this IHostApplicationBuilder builder)
    {
        builder.Services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(ApiPolicy, p => p.AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName).RequireAuthenticatedUser());
        // X-Forwarded-For / -Proto are believed from Service__TrustedProxies only, so per-IP limits see the reader.
        builder.Services.AddOptions<ForwardedHeadersOptions>()
            .Configure<IOptions<ServiceOptions>>((forwarded, service) =>
            {
                forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
                foreach (var proxy in service.Value.TrustedProxies)
                    if (IPAddress.TryParse(proxy, out var address)) forwarded.KnownProxies.Add(address);
            });
        return builder;
    }

    /// <summary>The <c>/api</c> group: every route in it requires an API key.</summary>
    public static RouteGroupBuilder MapApiGroup(this IEndpointRouteBuilder app)
        => app.MapGroup("/api").RequireAuthorization(ApiPolicy);
}
