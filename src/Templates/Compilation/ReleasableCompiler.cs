using RazorLight.Compilation;

namespace Newsletter.Templates.Compilation;

/// <summary>
/// RazorLight's template compiler for the rendering engine, created by the first compile inside a <see cref="Hold"/>
/// and let go when the last hold has ended and <see cref="IdleUnload"/> has passed without another (so a burst of
/// compiles, such as the start-up check or an operator editing a template, builds it once). The compiler holds
/// Roslyn's metadata of every referenced assembly; the compiled templates stay in the engine's cache and need none
/// of it, so a long send does not carry it.
/// </summary>
internal sealed class ReleasableCompiler : IRazorTemplateCompiler, IDisposable
{
    /// <summary>How long the compiler is kept after the last compile's render ended.</summary>
    public static readonly TimeSpan DefaultIdleUnload = TimeSpan.FromSeconds(10);

    private readonly Func<IRazorTemplateCompiler> create;
    private readonly Timer timer;
    private readonly Lock gate = new();
    private IRazorTemplateCompiler? inner;
    private int holds;

    public ReleasableCompiler(Func<IRazorTemplateCompiler> create, TimeSpan idleUnload)
    {
        this.create = create;
        IdleUnload = idleUnload;
        timer = new Timer(_ => ReleaseIfIdle());
    }

    public TimeSpan IdleUnload { get; }

    /// <summary>Whether a compiler is held now.</summary>
    public bool IsResident
    {
        get
        {
            lock (gate)
            {
                return inner is not null;
            }
        }
    }

    public ICompilationService CompilationService => Current().CompilationService;

    public Task<CompiledTemplateDescriptor> CompileAsync(string templateKey) => Current().CompileAsync(templateKey);

    /// <summary>Keeps the compiler, once created, until this and every other hold is disposed.</summary>
    public Hold Hold()
    {
        lock (gate)
        {
            holds++;
        }

        return new Hold(this);
    }

    public void Dispose() => timer.Dispose();

    /// <summary>
    /// Lets the compiler go now, not after <see cref="IdleUnload"/>, unless a compile holds it: for when no compile is
    /// expected soon (the start-up check is done, and a send may start at once).
    /// </summary>
    public void ReleaseNow()
    {
        lock (gate)
        {
            timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        ReleaseIfIdle();
    }

    internal void Release()
    {
        lock (gate)
        {
            if (--holds == 0 && inner is not null)
            {
                timer.Change(IdleUnload, Timeout.InfiniteTimeSpan);
            }
        }
    }

    private IRazorTemplateCompiler Current()
    {
        lock (gate)
        {
            return inner ??= create();
        }
    }

    private void ReleaseIfIdle()
    {
        lock (gate)
        {
            if (holds > 0 || inner is null)
            {
                return;
            }

            inner = null;
        }

        ProcessMemory.Reclaim();
    }
}

/// <summary>One render's hold on the template compiler.</summary>
internal readonly struct Hold(ReleasableCompiler owner) : IDisposable, IEquatable<Hold>
{
    private readonly ReleasableCompiler owner = owner;

    public void Dispose() => owner?.Release();

    public bool Equals(Hold other) => ReferenceEquals(owner, other.owner);

    public override bool Equals(object? obj) => obj is Hold h && Equals(h);

    public override int GetHashCode() => owner?.GetHashCode() ?? 0;
}
