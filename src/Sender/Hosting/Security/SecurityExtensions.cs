using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;
using Newsletter.Sender.Api;
using Npgsql;

namespace Newsletter.Sender.Hosting;

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
        builder.AddKeyRing();
        return builder;
    }

    /// <summary>
    /// Data Protection (admin cookies, antiforgery tokens) with its key ring in PostgreSQL, under one application name,
    /// so every instance shares it and a restart keeps sessions; keys encrypted at rest with
    /// <c>DataProtection__CertificateFile</c> when set.
    /// </summary>
    public static IHostApplicationBuilder AddKeyRing(this IHostApplicationBuilder builder)
    {
        var dataProtection = builder.Services.AddDataProtection().SetApplicationName("Newsletter");
        builder.Services.AddOptions<KeyManagementOptions>().Configure<NpgsqlDataSource>((o, db) => o.XmlRepository = new PostgresXmlRepository(db));
        // Read at registration: the certificate decides which services Data Protection registers.
        var settings = builder.Configuration.GetSection(KeyRingOptions.Section).Get<KeyRingOptions>() ?? new KeyRingOptions();
        if (!string.IsNullOrWhiteSpace(settings.CertificateFile))
        {
            X509Certificate2 certificate;
            try
            {
                certificate = X509CertificateLoader.LoadPkcs12FromFile(settings.CertificateFile, settings.CertificatePassword);
            }
            catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
            {
                throw new ConfigurationErrorException($"DataProtection__CertificateFile '{settings.CertificateFile}' cannot be read as a PKCS#12 file with its password: {e.Message}");
            }
            if (certificate.GetRSAPrivateKey() is null)
                throw new ConfigurationErrorException($"DataProtection__CertificateFile '{settings.CertificateFile}' holds no RSA private key");
            dataProtection.ProtectKeysWithCertificate(certificate).UnprotectKeysWithAnyCertificate(certificate);
        }
        return builder;
    }

    /// <summary>The <c>/api</c> group: every route in it requires an API key.</summary>
    public static RouteGroupBuilder MapApiGroup(this IEndpointRouteBuilder app)
        => app.MapGroup("/api").RequireAuthorization(ApiPolicy);
}
