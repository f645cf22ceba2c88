using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.OpenApi;
using Newsletter.Sender.Admin;
using Scalar.AspNetCore;

namespace Newsletter.Sender.Api;

/// <summary>
/// The API's reference: an OpenAPI 3.1 document of every <c>/api</c> route at <c>/api/openapi.json</c>
/// (Microsoft.AspNetCore.OpenApi, with the comparison schema taken from docs/comparison.schema.json and the problem+json
/// errors), and Scalar's interactive reference at <c>/api/docs</c>. Both need an API key or an admin session.
/// </summary>
public static class ApiReferenceExtensions
{
    public const string DocumentPath = "/api/openapi.json";
    public const string DocsPath = "/api/docs";

    public static IHostApplicationBuilder AddApiReference(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOpenApi(o =>
        {
            o.OpenApiVersion = OpenApiSpecVersion.OpenApi3_1;
            o.ShouldInclude = d => d.RelativePath?.StartsWith("api/", StringComparison.Ordinal) == true;
            o.AddDocumentTransformer((document, context, ct) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "Weekly AI Tool Verdicts API",
                    Version = "v1",
                    Description = "The machine API of the newsletter service. Every route needs `Authorization: Bearer <key>` (one of `Api__Keys__N`). "
                        + "Errors are problem+json (RFC 9457).",
                };
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes["apiKey"] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http, Scheme = "bearer", Description = "One of the keys in Api__Keys__N (at least 32 characters).",
                };
                document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("apiKey", document)] = [] }];
                return Task.CompletedTask;
            });
            o.AddDocumentTransformer<ComparisonSchemaTransformer>();
            o.AddOperationTransformer(ProblemResponses.AddAsync);
            o.AddOperationTransformer(RequestBodies.AddAsync);
        });
        return builder;
    }

    public static WebApplication MapApiReference(this WebApplication app)
    {
        // Checked before the endpoints run: the API key (a script) or the admin session (a browser), either one.
        app.Use(async (context, next) =>
        {
            var path = context.Request.Path;
            if (path.Equals(DocumentPath, StringComparison.Ordinal) || path.StartsWithSegments(DocsPath, StringComparison.Ordinal))
            {
                if (!(await context.AuthenticateAsync(ApiKeyAuthenticationHandler.SchemeName)).Succeeded
                    && !(await context.AuthenticateAsync(AdminSecurity.ReferenceScheme)).Succeeded)
                {
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    context.Response.Headers.WWWAuthenticate = "Bearer";
                    await context.Response.WriteAsJsonAsync(new
                    {
                        title = "Unauthorized", status = 401,
                        detail = "the API reference needs an API key (Authorization: Bearer <key>) or an admin session (sign in at /admin/login)",
                    }, JsonSerializerOptions.Web, "application/problem+json", context.RequestAborted);
                    return;
                }
            }
            await next(context);
        });
        app.MapOpenApi(DocumentPath);
        app.MapScalarApiReference(DocsPath, o =>
        {
            o.Title = "Weekly AI Tool Verdicts API";
            o.OpenApiRoutePattern = DocumentPath;
        });
        return app;
    }
}
