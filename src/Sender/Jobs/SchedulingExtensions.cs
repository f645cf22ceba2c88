using Newsletter.Database;
using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.PostgreSql;
using Newsletter.Sender.Hosting;
using Npgsql;

namespace Newsletter.Sender.Jobs;

public static class SchedulingExtensions
{
    /// <summary>
    /// Hangfire on our PostgreSQL database (schema <c>hangfire</c>, installed by the migrator). Every role gets the
    /// storage (the Web role serves the dashboard at /admin/jobs); Worker and All also run a Hangfire server, and the
    /// cluster runs each recurring run on exactly one of them. Storage and activator are this host's own singletons,
    /// not Hangfire's static defaults, so several hosts in one process (the tests) never share them.
    /// </summary>
    public static IHostApplicationBuilder AddScheduling(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        var poll = builder.Configuration.GetValue($"{ScheduleOptions.Section}:{nameof(ScheduleOptions.PollInterval)}", new ScheduleOptions().PollInterval);
        if (poll < TimeSpan.FromSeconds(1)) poll = TimeSpan.FromSeconds(1); // reported by the options' validation
        services.AddSingleton<JobStorage>(sp => new PostgreSqlStorage(new DataSourceConnectionFactory(sp.GetRequiredService<NpgsqlDataSource>()),
            new PostgreSqlStorageOptions
            {
                SchemaName = HangfireSchema.Name,
                PrepareSchemaIfNecessary = false, // the migrator installs it under its advisory lock
                QueuePollInterval = poll,
            }));
        services.AddSingleton<JobActivator>(sp => new AspNetCoreJobActivator(sp.GetRequiredService<IServiceScopeFactory>()));
        services.AddHangfire(c => c
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings());
        // Hangfire's filters are process-wide: added once, whatever the number of hosts (the tests start several).
        lock (GlobalJobFilters.Filters)
            if (!GlobalJobFilters.Filters.Any(f => f.Instance is JobTracingFilter)) GlobalJobFilters.Filters.Add(new JobTracingFilter());

        if (ServiceOptions.RoleIn(builder.Configuration) == ServiceRole.Web) return builder;
        var instance = builder.Configuration.GetValue<string>($"{ServiceOptions.Section}:{nameof(ServiceOptions.InstanceName)}");
        services.AddHangfireServer(o =>
        {
            if (!string.IsNullOrWhiteSpace(instance)) o.ServerName = instance;
            o.WorkerCount = 2; // a weekly send and an hourly purge: the deliveries are rows, never Hangfire jobs
            o.SchedulePollingInterval = poll;
        });
        services.AddHostedService<RecurringJobsSynchronizer>();
        return builder;
    }
}
