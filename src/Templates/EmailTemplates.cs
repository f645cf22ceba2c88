using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Encodings.Web;
using Microsoft.Extensions.Primitives;
using Newsletter.Templates.Emails;
using RazorLight;
using Newsletter.Templates.Compilation;
using RazorLight.Caching;
using RazorLight.Compilation;
using RazorLight.Generation;

namespace Newsletter.Templates;

/// <summary>
/// The email templates: RazorLight <c>.cshtml</c> files embedded as defaults, each overridable by a file of the same
/// name in <see cref="Directory"/>. Compiled once and cached; before each render the override files' times are
/// checked and a changed template (layout and partials included) is dropped from the cache, so the next edition or
/// transactional mail picks it up without a restart. One instance per folder (<see cref="ForDirectory"/>) so the
/// compiled templates are shared by everything in the process.
/// </summary>
public sealed class EmailTemplates : IDisposable
{
    public const string Edition = "Edition.cshtml";
    public const string Confirmation = "Confirmation.cshtml";
    public const string Welcome = "Welcome.cshtml";
    public const string Goodbye = "Goodbye.cshtml";
    public const string Layout = "_Layout.cshtml";
    public const string Masthead = "_Masthead.cshtml";
    public const string Footer = "_Footer.cshtml";
    public const string Button = "_Button.cshtml";

    /// <summary>Every built-in template: the four emails, then the layout and partials they share.</summary>
    public static readonly IReadOnlyList<TemplateFile> All =
    [
        new("Edition", Edition, typeof(EditionTemplateModel)),
        new("Confirmation", Confirmation, typeof(ConfirmationTemplateModel)),
        new("Welcome", Welcome, typeof(WelcomeTemplateModel)),
        new("Goodbye", Goodbye, typeof(GoodbyeTemplateModel)),
        new("Layout", Layout, typeof(EmailTemplateModel)),
        new("Masthead", Masthead, typeof(MastheadModel)),
        new("Footer", Footer, typeof(FooterModel)),
        new("Button", Button, typeof(ButtonModel)),
    ];

    private static readonly ConcurrentDictionary<string, EmailTemplates> Shared = new(StringComparer.Ordinal);

    private readonly Lock gate = new();
    private readonly Dictionary<string, TemplateVersion> versions = new(StringComparer.Ordinal);
    private readonly RazorLightEngine engine;
    private readonly ReleasableCompiler compiler;

    private EmailTemplates(string? directory, TimeSpan compilerIdleUnload)
    {
        Directory = directory;
        var project = new TemplateProject(this);
        compiler = new ReleasableCompiler(() => Build(project).Handler.Compiler, compilerIdleUnload);
        // The namespaces matter only to the compiler (see Build); this engine renders what it compiled.
        var options = new RazorLightOptions
        {
            CachingProvider = new MemoryCachingProvider(),
            DisableEncoding = false,
            EnableDebugMode = false,
        };
        // RazorLight's builder would give the engine a compiler for life; this one is built on demand and let go
        // after use (see ReleasableCompiler), while the engine renders from its cache.
        engine = new RazorLightEngine(new EngineHandler(options, compiler, new TemplateFactoryProvider(), options.CachingProvider));
    }

    private static RazorLightEngine Build(TemplateProject project) =>
        new RazorLightEngineBuilder()
            .UseProject(project)
            .UseMemoryCachingProvider()
            .AddDefaultNamespaces(Namespaces)
            .Build();

    /// <summary>The namespaces every template sees without an <c>@using</c>.</summary>
    internal static readonly string[] Namespaces =
        ["System", "System.Linq", "System.Collections.Generic", "Newsletter.Comparisons", "Newsletter.Templates", "Newsletter.Templates.Emails"];

    /// <summary>Stops the compiler's idle timer. The shared instances live as long as the process.</summary>
    public void Dispose() => compiler.Dispose();

    /// <summary>Whether the template compiler is loaded now (only while a template is being compiled).</summary>
    public bool CompilerResident => compiler.IsResident;

    /// <summary>Lets the template compiler go at once unless a compile is under way (a later compile builds it again).</summary>
    internal void ReleaseCompiler() => compiler.ReleaseNow();

    /// <summary>The templates with no override folder.</summary>
    public static EmailTemplates Defaults => ForDirectory(null);

    /// <summary>The override folder (full path), or null.</summary>
    public string? Directory { get; }

    /// <summary>The shared instance for an override folder (null or empty: defaults only).</summary>
    public static EmailTemplates ForDirectory(string? directory)
    {
        var full = string.IsNullOrWhiteSpace(directory) ? string.Empty : Path.GetFullPath(directory);
        return Shared.GetOrAdd(full, d => new EmailTemplates(d.Length == 0 ? null : d, ReleasableCompiler.DefaultIdleUnload));
    }

    /// <summary>An instance of its own (not shared), whose compiler is let go after <paramref name="compilerIdleUnload"/> idle.</summary>
    internal static EmailTemplates Create(string? directory, TimeSpan compilerIdleUnload) =>
        new(string.IsNullOrWhiteSpace(directory) ? null : Path.GetFullPath(directory), compilerIdleUnload);

    /// <summary>The built-in text of a template (what <c>templates export</c> writes).</summary>
    public static byte[] DefaultContent(string fileName)
    {
        using var stream = typeof(EmailTemplates).Assembly.GetManifestResourceStream("Newsletter.Templates.Emails." + fileName)
            ?? throw new ArgumentException($"no built-in template {fileName}", nameof(fileName));
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>
    /// Renders a template. Throws <see cref="TemplateException"/> when it does not compile or render, or when the
    /// output lacks the postal address (every email) or the unsubscribe link (edition and welcome mail).
    /// </summary>
    public async Task<string> RenderAsync(string fileName, EmailTemplateModel model, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ct.ThrowIfCancellationRequested();
        Refresh();
        string html;
        using var hold = compiler.Hold();
        try
        {
            html = await engine.CompileRenderAsync<EmailTemplateModel>(fileName, model);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw Describe(fileName, ex);
        }

        Require(fileName, html, model);
        return html;
    }

    /// <summary>Whether a file in the override folder replaces this template now, and when it last changed.</summary>
    public (bool Override, DateTimeOffset? LastChange) SourceOf(string fileName)
    {
        var path = OverridePath(fileName);
        return path is not null && File.Exists(path) ? (true, new DateTimeOffset(File.GetLastWriteTimeUtc(path), TimeSpan.Zero)) : (false, null);
    }

    /// <summary>
    /// Renders every email with sample data (through the current overrides) and reports each template: default or
    /// override, last change, and the error that stops it, if any. Compiles whatever is not compiled yet.
    /// </summary>
    public async Task<IReadOnlyList<TemplateStatus>> CheckAsync(CancellationToken ct = default)
    {
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        using var hold = compiler.Hold(); // one compiler for all of them
        foreach (var (file, model) in TemplateSamples.Models())
        {
            try
            {
                await RenderAsync(file, model, ct);
            }
            catch (TemplateException ex)
            {
                errors.TryAdd(ex.FileName, ex.Message);
                if (ex.InnerException is null && SourceOf(Footer).Override)
                {
                    // A refusal (no unsubscribe link or postal address) is most likely the overridden footer's.
                    errors.TryAdd(Footer, ex.Message);
                }
                if (ex.FileName != file)
                {
                    errors.TryAdd(file, ex.Message);
                }
            }
        }

        return All.Select(t =>
        {
            var (isOverride, lastChange) = SourceOf(t.FileName);
            return new TemplateStatus(t.Name, t.FileName, isOverride, lastChange, errors.GetValueOrDefault(t.FileName));
        }).ToList();
    }

    /// <summary>The template's current source and the token that expires when that source changes.</summary>
    internal (byte[]? Content, IChangeToken Token) Source(string key)
    {
        lock (gate)
        {
            var path = OverridePath(key);
            var file = path is null ? null : new FileInfo(path);
            var isOverride = file is { Exists: true };
            var stamp = isOverride ? file!.LastWriteTimeUtc : DateTime.MinValue;
            var length = isOverride ? file!.Length : -1;
            if (!versions.TryGetValue(key, out var version) || !version.SameAs(isOverride, stamp, length))
            {
                version?.Expire();
                version = new TemplateVersion(key, isOverride, stamp, length).Start();
                versions[key] = version;
            }

            byte[]? content;
            if (isOverride)
            {
                content = File.ReadAllBytes(path!);
            }
            else
            {
                content = All.Any(t => t.FileName == key) ? DefaultContent(key) : null;
            }

            return (content, version.Token);
        }
    }

    /// <summary>Drops from the cache every template whose override appeared, changed or went away.</summary>
    private void Refresh()
    {
        lock (gate)
        {
            List<string>? changed = null;
            foreach (var (key, version) in versions)
            {
                var path = OverridePath(key);
                var file = path is null ? null : new FileInfo(path);
                var isOverride = file is { Exists: true };
                if (!version.SameAs(isOverride, isOverride ? file!.LastWriteTimeUtc : DateTime.MinValue, isOverride ? file!.Length : -1))
                {
                    (changed ??= []).Add(key);
                }
            }

            foreach (var key in changed ?? [])
            {
                versions[key].Expire();
                versions.Remove(key);
                engine.Handler.Cache?.Remove(key);
            }
        }
    }

    /// <summary>The override file for a template key; null without a folder or for anything but a plain file name.</summary>
    private string? OverridePath(string key)
    {
        if (Directory is null || key.Length == 0 || key != Path.GetFileName(key) || key.Contains("..", StringComparison.Ordinal))
        {
            return null;
        }

        return Path.Combine(Directory, key);
    }

    private static void Require(string fileName, string html, EmailTemplateModel model)
    {
        var postal = model.Site.PostalAddress;
        if (!string.IsNullOrWhiteSpace(postal) && !Carries(html, postal))
        {
            throw new TemplateException(fileName, null,
                $"leaves out the postal address (@Model.Site.PostalAddress in {Footer}); every email must carry it");
        }

        if (model.Footer.Kind is FooterKind.Edition or FooterKind.Welcome && model.Footer.UnsubscribeUrl is { Length: > 0 } unsubscribe
            && !html.Contains("href=\"" + HtmlEncoder.Default.Encode(unsubscribe) + "\"", StringComparison.Ordinal)
            && !html.Contains("href=\"" + unsubscribe + "\"", StringComparison.Ordinal))
        {
            throw new TemplateException(fileName, null,
                $"leaves out the unsubscribe link (href=\"@Model.UnsubscribeUrl\" in {Footer}); every {(model.Footer.Kind == FooterKind.Edition ? "edition" : "welcome mail")} must carry it");
        }
    }

    private static bool Carries(string html, string value) =>
        html.Contains(HtmlEncoder.Default.Encode(value), StringComparison.Ordinal) || html.Contains(value, StringComparison.Ordinal);

    /// <summary>Turns RazorLight's exceptions into one message naming the file and line.</summary>
    private static TemplateException Describe(string fileName, Exception ex)
    {
        switch (ex)
        {
            case TemplateException te:
                return te;
            case TemplateGenerationException generation when generation.Diagnostics is { Count: > 0 } d:
            {
                var span = d[0].Span;
                return new TemplateException(FileOf(span.FilePath, fileName), span.LineIndex >= 0 ? span.LineIndex + 1 : null,
                                             d[0].GetMessage(CultureInfo.InvariantCulture), ex);
            }
            case TemplateCompilationException compilation when compilation.CompilationDiagnostics is { Count: > 0 } d:
            {
                var first = d[0];
                var line = first.LineSpan is { } s ? s.StartLinePosition.Line + 1 : (int?)null;
                return new TemplateException(FileOf(first.LineSpan?.Path, fileName), line, first.ErrorMessage, ex);
            }
            case TemplateNotFoundException:
                return new TemplateException(fileName, null, "a template it uses does not exist: " + FirstLine(ex.Message), ex);
            default:
                return new TemplateException(fileName, LineOf(ex), $"{ex.GetType().Name} while rendering: {FirstLine(ex.Message)}", ex);
        }
    }

    private static string FileOf(string? path, string fallback)
    {
        var name = string.IsNullOrEmpty(path) ? null : Path.GetFileName(path);
        return string.IsNullOrEmpty(name) ? fallback : name;
    }

    private static int? LineOf(Exception ex)
    {
        var frames = new System.Diagnostics.StackTrace(ex, fNeedFileInfo: true).GetFrames();
        return frames.FirstOrDefault(f => f.GetFileName()?.EndsWith(".cshtml", StringComparison.OrdinalIgnoreCase) == true)?.GetFileLineNumber() is { } n and > 0 ? n : null;
    }

    private static string FirstLine(string message)
    {
        var end = message.IndexOfAny(['\r', '\n']);
        return end < 0 ? message : message[..end];
    }
}
