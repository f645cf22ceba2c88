using Newsletter.Sender.Delivery;

namespace Newsletter.Sender.Editions;

/// <summary>The machine API for editions (under /api, API key required).</summary>
public static class EditionEndpoints
{
    public static IHostApplicationBuilder AddEditions(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<EditionService>();
        return builder;
    }

    public static RouteGroupBuilder MapEditionApi(this RouteGroupBuilder api)
    {
        // Creates an edition from the comparisons not yet sent and starts sending; state 'skipped' with the reason when there is nothing new.
        api.MapPost("/editions/send-now", async (EditionService editions, DeliverySignal signal, CancellationToken ct) =>
        {
            var edition = await editions.CreateAndStartAsync(slot: null, ct);
            signal.Poke();
            return TypedResults.Json(edition, statusCode: edition.State == "skipped" ? StatusCodes.Status200OK : StatusCodes.Status201Created);
        });
        api.MapGet("/editions/{id:long}", async Task<IResult> (long id, EditionService editions, CancellationToken ct) =>
            await editions.GetAsync(id, ct) is { } edition
                ? TypedResults.Ok(edition)
                : TypedResults.Problem(title: "Edition not found", detail: $"There is no edition {id}.", statusCode: StatusCodes.Status404NotFound));
        api.MapGet("/editions", async (EditionService editions, int? limit, CancellationToken ct) =>
            TypedResults.Ok(await editions.ListAsync(Math.Clamp(limit ?? 50, 1, 500), ct)));
        return api;
    }
}
