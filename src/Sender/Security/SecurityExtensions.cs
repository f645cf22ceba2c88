using Microsoft.AspNetCore.Authentication;

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
        return builder;
    }

    /// <summary>The <c>/api</c> group: every route in it requires an API key.</summary>
    public static RouteGroupBuilder MapApiGroup(this IEndpointRouteBuilder app)
        => app.MapGroup("/api").RequireAuthorization(ApiPolicy);
}
