using Microsoft.Extensions.Primitives;
using RazorLight;
using RazorLight.Caching;
using RazorLight.Compilation;
using RazorLight.Generation;
using RazorLight.Razor;

namespace Newsletter.Templates.Compilation;

/// <summary>
/// Runs inside <see cref="CompilerContext"/>: compiles one template with RazorLight and returns the emitted assembly's
/// bytes, which the default context loads. Never called directly from the default context's copy of this type.
/// </summary>
public static class CompilerDriver
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static readonly Capture Emitted = new();
    private static Func<string, byte[]?> source = _ => null;
    private static RazorLightEngine? engine;

    /// <summary>Compiles the template <paramref name="key"/>, reading every template's source through <paramref name="read"/>.</summary>
    public static async Task<object?[]> CompileAsync(string key, Func<string, byte[]?> read)
    {
        await Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            source = read;
            engine ??= new RazorLightEngineBuilder()
                .UseProject(new Project())
                .UseCachingProvider(Emitted)
                .AddDefaultNamespaces(EmailTemplates.Namespaces)
                .Build();
            Emitted.Clear();
            try
            {
                // The descriptor RazorLight makes here is of no use outside this context; the bytes are what counts.
                await engine.Handler.Compiler.CompileAsync(key).ConfigureAwait(false);
            }
            catch (RazorLightException) when (Emitted.Assembly is not null)
            {
            }

            return Emitted.Assembly is null
                ? new CompileResult(null, null, key, null, "the compiler produced nothing", null).ToParts()
                : new CompileResult(Emitted.Assembly, Emitted.Symbols, null, null, null, null).ToParts();
        }
        catch (Exception ex)
        {
            var described = EmailTemplates.Describe(key, ex);
            return new CompileResult(null, null, described.FileName, described.Line, described.Detail, ex.Message).ToParts();
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Receives what Roslyn emitted; caches nothing, so every call compiles.</summary>
    private sealed class Capture : ICachingProvider, IPrecompileCallback
    {
        public byte[]? Assembly { get; private set; }

        public byte[]? Symbols { get; private set; }

        public void Clear() => (Assembly, Symbols) = (null, null);

        public void Invoke(IGeneratedRazorTemplate generatedRazorTemplate, byte[] rawAssembly, byte[] rawSymbolStore) =>
            (Assembly, Symbols) = (rawAssembly, rawSymbolStore);

        public TemplateCacheLookupResult RetrieveTemplate(string key) => new();

        public void CacheTemplate(string key, Func<ITemplatePage> pageFactory, IChangeToken expirationToken)
        {
        }

        public bool Contains(string key) => false;

        public void Remove(string key)
        {
        }
    }

    /// <summary>Templates by key from the default context's reader, each already expired so RazorLight keeps none.</summary>
    private sealed class Project : RazorLightProject
    {
        private static readonly IChangeToken Expired = new CancellationChangeToken(new CancellationToken(canceled: true));

        public override Task<RazorLightProjectItem> GetItemAsync(string templateKey) =>
            Task.FromResult<RazorLightProjectItem>(new Item(templateKey, source(templateKey)) { ExpirationToken = Expired });

        public override Task<IEnumerable<RazorLightProjectItem>> GetImportsAsync(string templateKey) =>
            Task.FromResult(Enumerable.Empty<RazorLightProjectItem>());

        private sealed class Item(string key, byte[]? content) : RazorLightProjectItem
        {
            public override string Key { get; } = key;

            public override bool Exists => content is not null;

            public override Stream Read() => new MemoryStream(content ?? [], writable: false);
        }
    }
}
