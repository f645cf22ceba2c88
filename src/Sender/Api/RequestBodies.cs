using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Newsletter.Sender.Api;

/// <summary>
/// The request bodies of the handlers that read their body themselves (content type checked in the handler, so that a
/// caller without a key gets 401 before any 415: Accepts metadata would make routing answer 415 first).
/// </summary>
internal static class RequestBodies
{
    public static async Task AddAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        if (context.Description.HttpMethod != "POST") return;
        switch (context.Description.RelativePath)
        {
            case "api/subscribers/import":
                operation.RequestBody = Body("A CSV list with a header row: email,name,consented_at,consent_source (at most 512 MB).",
                    ("text/csv", new OpenApiSchema { Type = JsonSchemaType.String }));
                break;
            case "api/subscribers/lookup":
                operation.RequestBody = Body("The address to look up, kept out of the URL.",
                    ("application/json", await context.GetOrCreateSchemaAsync(typeof(SubscriberLookup), null, ct)));
                break;
            case "api/events":
                operation.RequestBody = Body("Bounce and complaint events: the generic JSON shape or an Amazon SES/SNS notification (SNS posts text/plain); at most 1 MB.",
                    ("application/json", new OpenApiSchema { Type = JsonSchemaType.Object }), ("text/plain", new OpenApiSchema { Type = JsonSchemaType.String }));
                break;
        }
    }

    private static OpenApiRequestBody Body(string description, params (string Type, IOpenApiSchema Schema)[] content) => new()
    {
        Required = true,
        Description = description,
        Content = content.ToDictionary(c => c.Type, c => new OpenApiMediaType { Schema = c.Schema }),
    };
}
