using System.Reflection;
using RazorLight;
using RazorLight.Compilation;
using RazorLight.Razor;

namespace Newsletter.Templates.Compilation;

/// <summary>
/// RazorLight's compiler step for the rendering engine, run in a <see cref="CompilerContext"/> that exists only while
/// templates are being compiled: created by the first compile inside a <see cref="Hold"/>, unloaded when the last
/// hold ends and <see cref="IdleUnload"/> has passed without another (so a burst of compiles, such as the start-up
/// check or an operator editing a template, loads Roslyn once). The compiled templates are loaded in the default
/// context and stay in the engine's cache.
/// </summary>
internal sealed class IsolatedCompiler : IRazorTemplateCompiler, IDisposable
{
    /// <summary>How long the compiler stays loaded after the last compile's render ended.</summary>
    public static readonly TimeSpan DefaultIdleUnload = TimeSpan.FromSeconds(10);

    private readonly EmailTemplates owner;
    private readonly Timer timer;
    private readonly Lock gate = new();
    private CompilerContext? context;
    private Func<string, Func<string, byte[]?>, Task<CompileResult>>? driver;
    private int holds;

    public IsolatedCompiler(EmailTemplates owner, TimeSpan idleUnload)
    {
        this.owner = owner;
        IdleUnload = idleUnload;
        timer = new Timer(_ => UnloadIfIdle());
    }

    public TimeSpan IdleUnload { get; }

    /// <summary>Whether the compiler is loaded now.</summary>
    public bool IsResident
    {
        get
        {
            lock (gate)
            {
                return context is not null;
            }
        }
    }

    /// <summary>Not used by the rendering engine: the compilation service lives in the compiler's own context.</summary>
    public ICompilationService CompilationService => throw new NotSupportedException("the template compiler runs in its own load context");

    public async Task<CompiledTemplateDescriptor> CompileAsync(string templateKey)
    {
        var (_, token) = owner.Source(templateKey);
        var result = await Driver()(templateKey, key => owner.Source(key).Content).ConfigureAwait(false);
        if (result.Assembly is null)
        {
            throw new TemplateException(result.File ?? templateKey, result.Line, result.Detail ?? "does not compile",
                                        new InvalidOperationException(result.Full ?? result.Detail));
        }

        var assembly = Assembly.Load(result.Assembly, result.Symbols);
        return new CompiledTemplateDescriptor
        {
            TemplateKey = templateKey,
            TemplateAttribute = assembly.GetCustomAttribute<RazorLightTemplateAttribute>()
                ?? throw new TemplateException(templateKey, null, "the compiled template carries no RazorLight template type"),
            ExpirationToken = token,
        };
    }

    /// <summary>Keeps the compiler, once loaded, until this and every other hold is disposed.</summary>
    public Hold Hold()
    {
        lock (gate)
        {
            holds++;
        }

        return new Hold(this);
    }

    private Func<string, Func<string, byte[]?>, Task<CompileResult>> Driver()
    {
        lock (gate)
        {
            if (driver is null)
            {
                context = new CompilerContext();
                driver = context.Driver();
            }

            return driver;
        }
    }

    internal void Release()
    {
        lock (gate)
        {
            if (--holds == 0 && context is not null)
            {
                timer.Change(IdleUnload, Timeout.InfiniteTimeSpan);
            }
        }
    }

    public void Dispose() => timer.Dispose();

    private void UnloadIfIdle()
    {
        CompilerContext? unload;
        lock (gate)
        {
            if (holds > 0 || context is null)
            {
                return;
            }

            (unload, context, driver) = (context, null, null);
        }

        var weak = new WeakReference(unload);
        unload.Unload();
        ProcessMemory.Reclaim(weak);
    }
}

/// <summary>One render's hold on the template compiler.</summary>
internal readonly struct Hold(IsolatedCompiler owner) : IDisposable, IEquatable<Hold>
{
    private readonly IsolatedCompiler owner = owner;

    public void Dispose() => owner?.Release();

    public bool Equals(Hold other) => ReferenceEquals(owner, other.owner);

    public override bool Equals(object? obj) => obj is Hold h && Equals(h);

    public override int GetHashCode() => owner?.GetHashCode() ?? 0;
}
