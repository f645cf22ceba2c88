using Newsletter.Database;
using Microsoft.Extensions.Options;
using Newsletter.Comparisons;
using Newsletter.Sender.Hosting;
using Newsletter.Sender.Admin;
using Npgsql;

namespace Newsletter.Sender.Cli;

/// <summary>
/// <c>Newsletter.Sender [serve]</c> runs the service; <c>migrate</c>, <c>import PATH...</c> and
/// <c>hash-password</c> are one-shot commands. Any failure ends with one line on stderr and a non-zero exit:
/// 1 the command failed (e.g. a rejected import), 2 bad configuration or usage, 3 the database is unreachable.
/// </summary>
public static class CommandLine
{
    public static async Task<int> RunAsync(string[] args)
    {
        var command = args.Length > 0 && !args[0].StartsWith('-') ? args[0] : "serve";
        var rest = command == "serve" && (args.Length == 0 || args[0].StartsWith('-')) ? args : args[1..];
        try
        {
            switch (command)
            {
                case "hash-password":
                    return HashPassword(rest);
                case "serve":
                {
                    // Build checks every setting first; an unreachable or unmigratable database also ends with one
                    // line here, before the host starts logging (it would otherwise print a stack trace first).
                    var app = Build(rest);
                    if (app.Services.GetRequiredService<IOptions<ServiceOptions>>().Value.MigrateOnStart)
                    {
                        await Migrator.MigrateAsync(app.Services.GetRequiredService<NpgsqlDataSource>());
                        app.Services.GetRequiredService<MigrationHostedService>().AlreadyMigrated = true;
                    }
                    await app.RunAsync();
                    return 0;
                }
                case "migrate":
                {
                    await using var app = Build(rest);
                    var applied = await Migrator.MigrateAsync(app.Services.GetRequiredService<NpgsqlDataSource>());
                    Console.WriteLine(applied.Count == 0 ? "database is up to date" : "applied: " + string.Join(", ", applied));
                    return 0;
                }
                case "import":
                {
                    var paths = rest.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToList();
                    if (paths.Count == 0) return Usage("import needs at least one file or directory");
                    await using var app = Build(rest.Where(a => a.StartsWith("--", StringComparison.Ordinal)).ToArray());
                    await Migrator.MigrateAsync(app.Services.GetRequiredService<NpgsqlDataSource>());
                    return await ComparisonImportCommand.RunAsync(app.Services, paths, Console.Out, CancellationToken.None);
                }
                case "templates":
                    return await TemplateCommands.RunAsync(rest, Console.Out);
                case "import-subscribers" or "export-subscribers":
                    return await SubscriberCommands.RunAsync(command, rest);
                default:
                    return Usage($"unknown command '{command}'");
            }
        }
        catch (Exception e) when (ConfigurationCheck.Lines(e).Count > 0)
        {
            foreach (var line in ConfigurationCheck.Lines(e)) Console.Error.WriteLine("configuration error: " + line);
            return 2;
        }
        catch (Exception e) when (e is NpgsqlException or System.Net.Sockets.SocketException || e.InnerException is NpgsqlException or System.Net.Sockets.SocketException)
        {
            Console.Error.WriteLine("database error: " + OneLine((e as NpgsqlException ?? e.InnerException ?? e).Message)
                + " (check ConnectionStrings__Newsletter)");
            return 3;
        }
        catch (MigrationChangedException e)
        {
            Console.Error.WriteLine("database error: " + OneLine(e.Message));
            return 3;
        }
    }

    private static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddNewsletter();
        var app = builder.BuildNewsletter();
        app.MapNewsletter();
        return app;
    }

    private static int HashPassword(string[] args)
    {
        var password = args.Length > 0 ? args[0] : Console.IsInputRedirected ? Console.In.ReadLine() : null;
        if (string.IsNullOrEmpty(password)) return Usage("hash-password PASSWORD (or the password on standard input)");
        Console.WriteLine(PasswordHasher.Hash(password));
        return 0;
    }

    private static int Usage(string message)
    {
        Console.Error.WriteLine($"usage error: {message}. Commands: serve | migrate | import PATH... | hash-password [PASSWORD]");
        return 2;
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}
