using System.Globalization;
using Newsletter.Templates;

namespace Newsletter.Sender.Cli;

/// <summary>
/// <c>templates list</c>: each email template, its file, whether the default or an override is in use, and its error
/// (exit 1 when one cannot be used). <c>templates export DIR</c>: writes every default template into DIR to start from
/// (an existing file is left as it is). Needs only <c>Templates__Directory</c>, no database.
/// </summary>
public static class TemplateCommands
{
    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        switch (args.Length > 0 ? args[0] : null)
        {
            case "list" when args.Length == 1:
            {
                var templates = EmailTemplates.ForDirectory(Directory());
                var statuses = await templates.CheckAsync();
                await output.WriteLineAsync(templates.Directory is null
                    ? "override folder: none (Templates__Directory not set)"
                    : $"override folder: {templates.Directory}{(System.IO.Directory.Exists(templates.Directory) ? string.Empty : " (does not exist)")}");
                foreach (var t in statuses)
                {
                    var source = t.Override ? "override " + t.LastChange!.Value.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture) : "default";
                    await output.WriteLineAsync($"{t.Name,-13} {t.FileName,-20} {source,-30} {t.Error ?? "ok"}");
                }
                return statuses.Any(t => t.Error is not null) ? 1 : 0;
            }
            case "export" when args.Length == 2:
            {
                var dir = Path.GetFullPath(args[1]);
                System.IO.Directory.CreateDirectory(dir);
                foreach (var t in EmailTemplates.All)
                {
                    var path = Path.Combine(dir, t.FileName);
                    if (File.Exists(path))
                    {
                        await output.WriteLineAsync($"{path}: exists, left as it is");
                        continue;
                    }
                    await File.WriteAllBytesAsync(path, EmailTemplates.DefaultContent(t.FileName));
                    await output.WriteLineAsync($"{path}: written");
                }
                return 0;
            }
            default:
                await Console.Error.WriteLineAsync("usage error: templates list | templates export DIR");
                return 2;
        }
    }

    /// <summary>Templates__Directory from the same sources as the service (appsettings.json, then the environment).</summary>
    private static string? Directory()
    {
        var configuration = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .Build();
        return configuration["Templates:Directory"];
    }
}
