using Microsoft.Extensions.Options;
using Newsletter.Subscribers;
using Newsletter.Database;
using Npgsql;

namespace Newsletter.Sender.Public;

public static class HealthEndpoints
{
    /// <summary>
    /// <c>GET /healthz</c>: 200 when the database answers, 503 "database unavailable" when not. The caller is anonymous,
    /// so the exception (host names, ports, roles) goes to the log only.
    /// </summary>
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", async Task<IResult> (NpgsqlDataSource db, ILoggerFactory logs, IOptions<BouncesOptions> bounces, CancellationToken ct) =>
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(TimeSpan.FromSeconds(5));
                await using var command = db.CreateCommand("select 1");
                await command.ExecuteScalarAsync(timeout.Token);
                if (!bounces.Value.Imap.Enabled) return TypedResults.Ok(new { status = "ok", database = "ok" });
                // When the bounce mailbox last answered; its errors (host names) stay in the log and the console.
                var mailbox = await BounceMailbox.StatusAsync(db, timeout.Token);
                return TypedResults.Ok(new
                {
                    status = "ok",
                    database = "ok",
                    bounceMailbox = new
                    {
                        lastAnsweredAt = mailbox?.LastAnsweredAt is { } at ? DateTime.SpecifyKind(at, DateTimeKind.Utc) : (DateTime?)null,
                        state = mailbox is null ? "not read yet" : mailbox.LastErrorAt > mailbox.LastAnsweredAt || mailbox.LastAnsweredAt is null ? "failing" : "ok",
                    },
                });
            }
            catch (Exception e) when (e is NpgsqlException or OperationCanceledException or TimeoutException or System.Net.Sockets.SocketException)
            {
                logs.CreateLogger("Newsletter.Health").LogWarning(e, "Health check: the database is unavailable: {Reason}", e.Message);
                return TypedResults.Problem(title: "database unavailable", statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        }).AllowAnonymous();
        return app;
    }
}
