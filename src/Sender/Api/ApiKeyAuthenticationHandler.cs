using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Newsletter.Sender.Api;

/// <summary>
/// <c>Authorization: Bearer KEY</c> for the machine API. Keys come from configuration (Api__Keys__N).
/// Each presented key is hashed and compared with every configured key's hash in constant time, so
/// neither the key's content nor its length leaks through timing.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IOptionsMonitor<ApiOptions> api)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header)) return Task.FromResult(AuthenticateResult.NoResult());
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return Task.FromResult(AuthenticateResult.Fail("Authorization must be 'Bearer <api key>'"));
        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(header[7..].Trim()));
        var match = -1;
        var keys = api.CurrentValue.Keys;
        for (var i = 0; i < keys.Count; i++)
        {
            var expected = SHA256.HashData(Encoding.UTF8.GetBytes(keys[i]));
            // No early exit: every key is compared, whatever matched.
            if (CryptographicOperations.FixedTimeEquals(presented, expected)) match = i;
        }
        if (match < 0) return Task.FromResult(AuthenticateResult.Fail("unknown API key"));
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, $"api-key-{match}")], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        Response.ContentType = "application/problem+json";
        return Response.WriteAsync("""{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.2","title":"Unauthorized","status":401,"detail":"an API key is required: Authorization: Bearer <key>"}""");
    }
}
