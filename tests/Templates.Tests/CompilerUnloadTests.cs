using Newsletter.TestSupport;

namespace Newsletter.Templates.Tests;

/// <summary>
/// The template compiler (RazorLight with Roslyn's metadata) is let go once idle, so a long send does not carry it;
/// templates compiled before go on rendering, and a changed one is compiled by a new one.
/// </summary>
public sealed class CompilerUnloadTests : IDisposable
{
    private readonly string directory = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "newsletter-unload-" + Guid.NewGuid().ToString("N"))).FullName;

    public void Dispose()
    {
        try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public async Task The_compiler_is_unloaded_when_idle_and_loaded_again_for_a_changed_template()
    {
        using var templates = EmailTemplates.Create(directory, TimeSpan.FromMilliseconds(200));
        var model = TemplateModels.Goodbye(TemplateSamples.Goodbye());
        var before = await templates.RenderAsync(EmailTemplates.Goodbye, model);
        Assert.True(await Eventually.TrueAsync(() => !templates.CompilerResident, TimeSpan.FromSeconds(20)), "the compiler is still held");
        // Compiled templates render without the compiler.
        Assert.Equal(before, await templates.RenderAsync(EmailTemplates.Goodbye, model));
        Assert.False(templates.CompilerResident);

        // A changed template loads the compiler again, and the change shows.
        var footer = System.Text.Encoding.UTF8.GetString(EmailTemplates.DefaultContent(EmailTemplates.Footer));
        await File.WriteAllTextAsync(Path.Combine(directory, EmailTemplates.Footer), footer + "<p>Reloaded footer line</p>\n");
        var after = await templates.RenderAsync(EmailTemplates.Goodbye, model);
        Assert.Contains("Reloaded footer line", after, StringComparison.Ordinal);
        Assert.True(await Eventually.TrueAsync(() => !templates.CompilerResident, TimeSpan.FromSeconds(20)), "the compiler is still held after the second compile");
    }

    [Fact]
    public async Task The_start_up_check_lets_the_compiler_go_at_once_and_every_template_renders_without_it()
    {
        // An idle delay of an hour: only the warm-up's own release can let the compiler go within this test.
        using var templates = EmailTemplates.Create(directory, TimeSpan.FromHours(1));
        using var warmUp = new TemplateWarmUp(templates, Microsoft.Extensions.Logging.Abstractions.NullLogger<TemplateWarmUp>.Instance);
        await warmUp.StartAsync(CancellationToken.None);
        await warmUp.ExecuteTask!;

        Assert.False(templates.CompilerResident);
        foreach (var (file, model) in TemplateSamples.Models()) await templates.RenderAsync(file, model);
        Assert.False(templates.CompilerResident); // all compiled by the check
    }
}
