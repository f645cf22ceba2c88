using Newsletter.Sender.Configuration;
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
            return dataSource.Build();
        });
        builder.Services.AddSingleton<MigrationHostedService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<MigrationHostedService>());
        return builder;
    }

    /// <summary><c>GET /healthz</c>: 200 when the database answers, 503 with the reason when not.</summary>
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", async Task<IResult> (NpgsqlDataSource db, CancellationToken ct) =>
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(TimeSpan.FromSeconds(5));
                await using var command = db.CreateCommand("select 1");
                await command.ExecuteScalarAsync(timeout.Token);
                return TypedResults.Ok(new { status = "ok", database = "ok" });
            }
            catch (Exception e) when (e is NpgsqlException or OperationCanceledException or TimeoutException or System.Net.Sockets.SocketException)
            {
                return TypedResults.Problem(title: "database unavailable", detail: e.Message, statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        }).AllowAnonymous();
        return app;
    }
}
