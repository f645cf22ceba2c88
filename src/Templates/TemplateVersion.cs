using Microsoft.Extensions.Primitives;

namespace Newsletter.Templates;

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
