using Newsletter.Sender.Configuration;
using Quartz;

namespace Newsletter.Sender.Scheduling;

public static class SchedulingExtensions
{
    /// <summary>
    /// Quartz.NET with its ADO job store in our PostgreSQL database (tables qrtz_*, created by migration 0300),
    /// clustered: every instance runs a scheduler, and each firing runs on exactly one of them.
    /// </summary>
    public static IHostApplicationBuilder AddScheduling(this IHostApplicationBuilder builder)
    {
        var role = ServiceOptions.RoleIn(builder.Configuration);
        var enabled = ScheduleOptions.EnabledIn(builder.Configuration);
        if (role == ServiceRole.Web || !enabled) return builder;

        builder.Services.AddQuartz(q =>
        {
            q.ConfigureScheduler(s =>
            {
                s.InstanceName = "newsletter";
                s.GenerateInstanceId = true; // unique per process: the cluster tells instances apart by it
            });
            q.UsePersistentStore(store =>
            {
                store.UseDataSource(db =>
                {
                    db.Provider = "Npgsql";
                    db.ConnectionStringName = "Newsletter";
                });
                store.ConfigureStore(s =>
                {
                    s.TablePrefix = "qrtz_";
                    s.StoreJobDataAsStrings = true;
                    s.SchemaProvisioning = SchemaProvisioning.None; // migration 0300 creates the tables
                });
                store.UseSystemTextJsonSerializer(_ => { });
                store.UseClustering(c =>
                {
                    c.CheckinInterval = TimeSpan.FromSeconds(10);
                    c.CheckinMisfireThreshold = TimeSpan.FromSeconds(30);
                });
            });
            q.AddJob<WeeklyEditionJob>(j => j.WithIdentity(WeeklyEditionJob.Key).StoreDurably().RequestRecovery());
        });
        builder.Services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
        builder.Services.AddHostedService<ScheduleSynchronizer>();
        return builder;
    }
}
