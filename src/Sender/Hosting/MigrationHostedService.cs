using Newsletter.Database;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Newsletter.Sender.Hosting;

/// <summary>
/// Migrates the database before anything else starts (IHostedLifecycleService.StartingAsync runs before every
/// hosted service's StartAsync, so the workers and the scheduler never see an old schema).
/// </summary>
public sealed class MigrationHostedService(NpgsqlDataSource db, IOptions<ServiceOptions> options, ILogger<MigrationHostedService> logger) : IHostedLifecycleService
{
    /// <summary>Set when the command line migrated before starting the host.</summary>
    public bool AlreadyMigrated { get; set; }

    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.MigrateOnStart || AlreadyMigrated) return;
        var applied = await Migrator.MigrateAsync(db, cancellationToken);
        if (applied.Count > 0) logger.LogInformation("applied migrations: {Migrations}", string.Join(", ", applied));
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
