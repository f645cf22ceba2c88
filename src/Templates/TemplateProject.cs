using Microsoft.Extensions.Primitives;
using RazorLight.Razor;

namespace Newsletter.Templates;

/// <summary>
/// Where RazorLight reads templates: a file of the same name in the override folder, else the embedded default.
/// Each item carries its key's current change token, so cancelling it drops the compiled template from every cache.
/// </summary>
internal sealed class TemplateProject(EmailTemplates owner) : RazorLightProject
{
    public override Task<RazorLightProjectItem> GetItemAsync(string templateKey)
    {
        var (content, token) = owner.Source(templateKey);
        RazorLightProjectItem item = new Item(templateKey, content) { ExpirationToken = token };
        return Task.FromResult(item);
    }

    public override Task<IEnumerable<RazorLightProjectItem>> GetImportsAsync(string templateKey) =>
        Task.FromResult(Enumerable.Empty<RazorLightProjectItem>());

    public override Task<IEnumerable<string>> GetKnownKeysAsync() =>
        Task.FromResult(EmailTemplates.All.Select(t => t.FileName));

    private sealed class Item(string key, byte[]? content) : RazorLightProjectItem
    {
        public override string Key { get; } = key;

        public override bool Exists => content is not null;

        public override Stream Read() => new MemoryStream(content ?? [], writable: false);
    }
}

/// <summary>A template's change token with the source it stands for.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "The compiled template's cache entry holds the change token; a disposed source would throw when the cache registers on it after expiry.")]
internal sealed class TemplateVersion(string fileName, bool isOverride, DateTime lastWriteUtc, long length)
{
    private readonly CancellationTokenSource cts = new();

    public string FileName { get; } = fileName;

    public bool IsOverride { get; } = isOverride;

    public DateTime LastWriteUtc { get; } = lastWriteUtc;

    public long Length { get; } = length;

    public IChangeToken Token { get; private set; } = default!;

    public TemplateVersion Start()
    {
        Token = new CancellationChangeToken(cts.Token);
        return this;
    }

    public bool SameAs(bool isOverride, DateTime lastWriteUtc, long length) =>
        IsOverride == isOverride && LastWriteUtc == lastWriteUtc && Length == length;

    public void Expire() => cts.Cancel();
}
