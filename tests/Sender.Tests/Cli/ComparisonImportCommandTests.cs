using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Newsletter.Sender.Tests.Infrastructure;
using Newsletter.Comparisons;
using Newsletter.Comparisons.Tests;
using Newsletter.Sender.Cli;
using Npgsql;

namespace Newsletter.Sender.Tests.Cli;

public sealed class ComparisonImportCommandTests : IAsyncDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "comparison-import-" + Guid.NewGuid().ToString("N"));
    private NpgsqlDataSource? dataSource;

    private async Task<ServiceProvider> ServicesAsync()
    {
        dataSource = NpgsqlDataSource.Create(await TestDatabases.CreateAsync());
        var services = new ServiceCollection();
        services.AddSingleton(dataSource);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ComparisonStore>();
        services.AddSingleton(sp => new ComparisonIngestor(sp.GetRequiredService<ComparisonStore>(), "https://compare.example.com", TimeProvider.System));
        return services.BuildServiceProvider();
    }

    private string Write(string relative, string content)
    {
        var path = Path.Combine(folder, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    private static async Task<(int Code, string[] Lines)> RunAsync(IServiceProvider services, params string[] paths)
    {
        using var output = new StringWriter();
        var code = await ComparisonImportCommand.RunAsync(services, paths, output, CancellationToken.None);
        return (code, output.ToString().ReplaceLineEndings("\n").TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task A_directory_is_imported_recursively_one_line_per_file_and_a_second_run_is_unchanged()
    {
        await using var services = await ServicesAsync();
        var json = Write("a.json", JsonSerializer.Serialize(ComparisonTestData.Sample(), ComparisonJson.Options));
        var page = Write(Path.Combine("pages", "b.txt"), ComparisonTestData.Fixture("layout-c-bare-quotes.txt"));
        Write("notes.md", "ignored");

        var first = await RunAsync(services, folder);
        var second = await RunAsync(services, folder);

        Assert.Equal(0, first.Code);
        Assert.Equal([$"created  {json}  alpha-vs-beta", $"created  {page}  murmur-voice-vs-stanza-dictate"], first.Lines);
        Assert.Equal(0, second.Code);
        Assert.Equal([$"unchanged  {json}  alpha-vs-beta", $"unchanged  {page}  murmur-voice-vs-stanza-dictate"], second.Lines);
        var stored = await services.GetRequiredService<ComparisonStore>().GetAsync("murmur-voice-vs-stanza-dictate", CancellationToken.None);
        Assert.Equal("https://compare.example.com/compare/murmur-voice-vs-stanza-dictate", stored!.Comparison.Url);
    }

    [Fact]
    public async Task A_rejected_file_is_reported_with_its_reason_the_others_are_imported_and_the_exit_code_is_1()
    {
        await using var services = await ServicesAsync();
        var good = Write("good.json", JsonSerializer.Serialize(ComparisonTestData.Sample(), ComparisonJson.Options));
        var bad = Write("bad.json", JsonSerializer.Serialize(ComparisonTestData.Sample("Bad Slug"), ComparisonJson.Options));
        var page = Write("broken.txt", "AI tool comparison\nnothing to see\n");
        var missing = Path.Combine(folder, "missing.txt");

        var (code, lines) = await RunAsync(services, bad, good, page, missing);

        Assert.Equal(1, code);
        Assert.StartsWith($"rejected  {bad}  slug: must match", lines[0], StringComparison.Ordinal);
        Assert.Equal($"created  {good}  alpha-vs-beta", lines[1]);
        Assert.StartsWith($"rejected  {page}  line 2: expected the title", lines[2], StringComparison.Ordinal);
        Assert.Equal($"rejected  {missing}  no such file or directory", lines[3]);
    }

    [Fact]
    public async Task Every_seed_page_imports_and_stores_the_values_shown_on_it()
    {
        await using var services = await ServicesAsync();
        var seeds = ComparisonTestData.SeedFiles();
        if (seeds.Count == 0)
        {
            // No ../shared/seeds on this machine: nothing to import.
            Assert.Empty(seeds);
            return;
        }

        var (code, lines) = await RunAsync(services, [.. seeds]);

        Assert.Equal(0, code);
        Assert.All(lines, l => Assert.StartsWith("created  ", l, StringComparison.Ordinal));
        var store = services.GetRequiredService<ComparisonStore>();
        var list = await store.ListAsync(ComparisonStatusFilter.All, 100, 0, CancellationToken.None);
        Assert.Equal(seeds.Count, list.Count);
        var small = await store.GetAsync("code-llama-4-70b-400b-vs-mistral-3-small-22b", CancellationToken.None);
        if (small is not null)
        {
            Assert.Equal((Verdict.Ship, 4, 0, 100, "Free"),
                (small.Comparison.Tools[0].PanelVerdict!.Value, small.Comparison.Tools[0].PanelShipVotes!.Value,
                 small.Comparison.Tools[0].PanelSkipVotes!.Value, small.Comparison.Tools[0].PanelShipPercent!.Value, small.Comparison.Tools[0].EntryPrice));
            Assert.Equal((85, Verdict.Ship), (small.Comparison.Reviewers[0].Takes[0].Score, small.Comparison.Reviewers[0].Takes[0].Verdict));
            Assert.Equal("Builder", small.Comparison.Reviewers[0].Persona);
        }
        Assert.All(list, c => Assert.StartsWith("https://compare.example.com/compare/code-llama-4-70b-400b-vs-mistral-", c.Url, StringComparison.Ordinal));

        var again = await RunAsync(services, [.. seeds]);
        Assert.All(again.Lines, l => Assert.StartsWith("unchanged  ", l, StringComparison.Ordinal));
    }

    public async ValueTask DisposeAsync()
    {
        if (dataSource is not null) await dataSource.DisposeAsync();
        try { Directory.Delete(folder, recursive: true); } catch (DirectoryNotFoundException) { }
    }
}
