using Microsoft.Extensions.Options;
using Newsletter.Subscribers;
using Newsletter.Database;
using Npgsql;

namespace Newsletter.Sender.Hosting;

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
}
