using Newsletter.Sender.Editions;
using Newsletter.Sender.Hosting;

namespace Newsletter.Sender.Api;

/// <summary>The machine API for editions (under /api, API key required).</summary>
public static class EditionEndpoints
{
    public static RouteGroupBuilder MapEditionApi(this RouteGroupBuilder api)
    {
        // Creates an edition from the comparisons not yet sent and starts sending; state skipped with the reason when there is nothing new.
        api.MapPost("/editions/send-now", async Task<IResult> (EditionService editions, DeliverySignal signal, CancellationToken ct) =>
        {
            var edition = await editions.CreateAndStartAsync(slot: null, ct);
            if (edition.State == EditionState.Failed)
            {
                // A broken email template: nothing was queued; the reason names the template, line and error.
                return TypedResults.Problem(title: "The edition's template cannot be rendered", detail: edition.Reason,
                    statusCode: StatusCodes.Status422UnprocessableEntity, extensions: new Dictionary<string, object?> { ["edition"] = edition.Id });
            }
            signal.Poke();
            return TypedResults.Json(edition, statusCode: edition.State == EditionState.Skipped ? StatusCodes.Status200OK : StatusCodes.Status201Created);
        }).Produces<EditionSummary>(StatusCodes.Status201Created).Produces<EditionSummary>().ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        api.MapGet("/editions/{id:long}", async Task<IResult> (long id, EditionService editions, CancellationToken ct) =>
            await editions.GetAsync(id, ct) is { } edition
                ? TypedResults.Ok(edition)
                : TypedResults.Problem(title: "Edition not found", detail: $"There is no edition {id}.", statusCode: StatusCodes.Status404NotFound))
            .Produces<EditionSummary>().ProducesProblem(StatusCodes.Status404NotFound);
        api.MapPost("/editions/{id:long}/pause", async Task<IResult> (long id, EditionService editions, CancellationToken ct) =>
            await Operation(await editions.PauseAsync(id, "paused by API", ct), id, "is not sending", editions, ct)).ProducesOperation();
        api.MapPost("/editions/{id:long}/resume", async Task<IResult> (long id, EditionService editions, DeliverySignal signal, CancellationToken ct) =>
        {
            var done = await editions.ResumeAsync(id, ct);
            signal.Poke();
            return await Operation(done, id, "is not paused", editions, ct);
        }).ProducesOperation();
        api.MapPost("/editions/{id:long}/cancel", async Task<IResult> (long id, EditionService editions, CancellationToken ct) =>
            await Operation(await editions.CancelAsync(id, "cancelled by API", ct), id, "is already finished", editions, ct)).ProducesOperation();
        api.MapPost("/editions/{id:long}/retry-failed", async Task<IResult> (long id, EditionService editions, DeliverySignal signal, CancellationToken ct) =>
        {
            var requeued = await editions.RetryFailedAsync(id, ct);
            signal.Poke();
            return await editions.GetAsync(id, ct) is { } edition
                ? TypedResults.Ok(new RetryFailedResult(requeued, edition))
                : NotFound(id);
        }).Produces<RetryFailedResult>().ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/editions", async (EditionService editions, int? limit, CancellationToken ct) =>
            TypedResults.Ok(await editions.ListAsync(Math.Clamp(limit ?? 50, 1, 500), ct)));
        return api;
    }

    private static RouteHandlerBuilder ProducesOperation(this RouteHandlerBuilder route)
        => route.Produces<EditionSummary>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

    private static async Task<IResult> Operation(bool done, long id, string refusal, EditionService editions, CancellationToken ct)
    {
        var edition = await editions.GetAsync(id, ct);
        if (edition is null) return NotFound(id);
        return done
            ? TypedResults.Ok(edition)
            : TypedResults.Problem(title: "Not possible in this state", detail: $"Edition {id} {refusal} (state {edition.State}).",
                statusCode: StatusCodes.Status409Conflict);
    }

    private static IResult NotFound(long id)
        => TypedResults.Problem(title: "Edition not found", detail: $"There is no edition {id}.", statusCode: StatusCodes.Status404NotFound);
}
