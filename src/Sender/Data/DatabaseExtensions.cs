using Microsoft.Extensions.Options;
using Newsletter.Subscribers;
using Newsletter.Sender.Configuration;
using Newsletter.Database;
using Npgsql;

namespace Newsletter.Sender.Data;

public static class DatabaseExtensions
{
    /// <summary>Registers the one <see cref="NpgsqlDataSource"/> of the process and the migrations run at start.</summary>
    public static IHostApplicationBuilder AddDatabase(this IHostApplicationBuilder builder)
    {
        // Read when first resolved, so configuration added late (tests, command line) is seen.
        builder.Services.AddSingleton(sp =>
        {
            var connectionString = sp.GetRequiredService<IConfiguration>().GetNewsletterConnectionString();
            var dataSource = new NpgsqlDataSourceBuilder(connectionString);
            dataSource.ConnectionStringBuilder.ApplicationName ??= "newsletter";
            UtcTimes.Register(); // before the first query: Dapper reads timestamptz as DateTimeOffset in UTC
            return dataSource.Build();
        });
        builder.Services.AddSingleton<MigrationHostedService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<MigrationHostedService>());
        return builder;
    }

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
