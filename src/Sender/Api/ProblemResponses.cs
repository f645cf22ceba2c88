using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Newsletter.Sender.Api;

/// <summary>
/// Every operation answers 401 without a key; each error status an endpoint declares (ProducesProblem) and the 401 are
/// described as <c>application/problem+json</c> with the ProblemDetails schema.
/// </summary>
internal static class ProblemResponses
{
    public static async Task AddAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        operation.Responses ??= new OpenApiResponses();
        if (!operation.Responses.ContainsKey("401"))
        {
            var schema = await context.GetOrCreateSchemaAsync(typeof(ProblemDetails), null, ct);
            operation.Responses["401"] = new OpenApiResponse
            {
                Description = "No API key, or an unknown one",
                Content = new Dictionary<string, OpenApiMediaType> { ["application/problem+json"] = new() { Schema = schema } },
            };
        }
    }
}
