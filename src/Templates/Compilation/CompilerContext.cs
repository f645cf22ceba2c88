using System.Reflection;
using System.Runtime.Loader;

namespace Newsletter.Templates.Compilation;

/// <summary>
/// A collectible load context holding the template compiler: RazorLight's generator, Roslyn and a second copy of this
/// assembly (for <see cref="CompilerDriver"/>). Everything else (the framework, the model assemblies) comes from the
/// default context. Unloading it gives back Roslyn's code and metadata, which would otherwise stay in the process for
/// good after the first compile.
/// </summary>
internal sealed class CompilerContext : AssemblyLoadContext
{
    private readonly string directory;

    public CompilerContext()
        : base("email template compiler", isCollectible: true)
    {
        directory = Path.GetDirectoryName(typeof(RazorLight.RazorLightEngine).Assembly.Location) ?? AppContext.BaseDirectory;
    }

    /// <summary>Whether an assembly belongs to the compiler, and so is loaded here rather than shared.</summary>
    public static bool IsCompilerAssembly(string name) =>
        name.StartsWith("RazorLight", StringComparison.Ordinal)
        || name.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal)
        || name.StartsWith("Microsoft.AspNetCore.Razor.Language", StringComparison.Ordinal)
        || name.StartsWith("Microsoft.AspNetCore.Mvc.Razor.Extensions", StringComparison.Ordinal);

    /// <summary>The entry point into this context's copy of the driver.</summary>
    public Func<string, Func<string, byte[]?>, Task<CompileResult>> Driver()
    {
        var self = LoadFromAssemblyPath(typeof(CompilerContext).Assembly.Location);
        var method = self.GetType(typeof(CompilerDriver).FullName!, throwOnError: true)!
            .GetMethod(nameof(CompilerDriver.CompileAsync), BindingFlags.Public | BindingFlags.Static)!;
        // The driver's result crosses the boundary as BCL types only: its own CompileResult is another copy's type.
        var call = method.CreateDelegate<Func<string, Func<string, byte[]?>, Task<object?[]>>>();
        return async (key, read) => CompileResult.FromParts(await call(key, read).ConfigureAwait(false));
    }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        var name = assemblyName.Name;
        if (name is null || !(IsCompilerAssembly(name) || name == typeof(CompilerContext).Assembly.GetName().Name))
        {
            return null;
        }

        var path = Path.Combine(directory, name + ".dll");
        return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
    }
}
