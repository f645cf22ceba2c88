using Newsletter.Subscribers;
using Npgsql;

namespace Newsletter.Sender.Jobs;

/// <summary>
/// At start-up, after the migrations (registered after them, so its StartingAsync runs later), converts suppression
/// rows still holding a plain SHA-256 to their keyed form (<see cref="SuppressionHash.RekeyLegacyAsync"/>).
/// </summary>
public sealed class SuppressionRekeyService(SuppressionHash suppression, NpgsqlDataSource db, ILogger<SuppressionRekeyService> logger) : IHostedLifecycleService
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        try
        {
            var converted = await suppression.RekeyLegacyAsync(db, cancellationToken);
            if (converted > 0) logger.LogInformation("suppression list: {Count} unkeyed hashes converted to HMAC", converted);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UndefinedColumn or PostgresErrorCodes.UndefinedTable)
        {
            // Service__MigrateOnStart=false and the schema not migrated yet: the next start (or import) converts them.
            logger.LogWarning("suppression list not converted to keyed hashes: the database is not migrated ({Error})", e.MessageText);
        }
        catch (NpgsqlException e) when (e is not PostgresException)
        {
            // The database is unreachable: the service still starts (so /healthz can say so); the next start or import converts them.
            logger.LogWarning("suppression list not converted to keyed hashes: the database is unavailable ({Error})", e.Message);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
