using MimeKit;
using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto;

namespace Newsletter.TestSupport;

/// <summary>
/// MimeKit as a second, independent reader beside Python's <c>email</c> package and python3-dkim: the tests' parsers
/// call it and fail when the two readers disagree about what a message says or whether its signature verifies.
/// </summary>
public static class MimeKitOpinion
{
    /// <summary>One leaf part as a reader decoded it.</summary>
    public sealed record Leaf(string ContentType, string? Content);

    /// <summary>Parses <paramref name="message"/> with MimeKit.</summary>
    public static MimeMessage Load(byte[] message)
    {
        ArgumentNullException.ThrowIfNull(message);
        using var stream = new MemoryStream(message);
        return MimeMessage.Load(stream);
    }

    /// <summary>
    /// Throws when MimeKit reads <paramref name="message"/> differently from Python: another top-level type, other leaf
    /// parts (type, order), other decoded text of a text part, another decoded Subject.
    /// </summary>
    /// <exception cref="InvalidOperationException">the two readers disagree (the message says which part).</exception>
    public static void Agree(byte[] message, string pythonContentType, IReadOnlyList<Leaf> pythonLeaves, string? pythonSubject)
    {
        ArgumentNullException.ThrowIfNull(pythonLeaves);
        var m = Load(message);
        var problems = new List<string>();
        var type = m.Body?.ContentType.MimeType.ToLowerInvariant() ?? "text/plain";
        if (type != pythonContentType) problems.Add($"content type: MimeKit {type}, Python {pythonContentType}");
        var leaves = m.BodyParts.Select(p => new Leaf(p.ContentType.MimeType.ToLowerInvariant(), p is TextPart t ? t.Text : null)).ToList();
        if (!leaves.Select(l => l.ContentType).SequenceEqual(pythonLeaves.Select(l => l.ContentType)))
            problems.Add($"parts: MimeKit [{string.Join(", ", leaves.Select(l => l.ContentType))}], Python [{string.Join(", ", pythonLeaves.Select(l => l.ContentType))}]");
        else
            for (var i = 0; i < leaves.Count; i++)
            {
                if (leaves[i].Content is null || !leaves[i].ContentType.StartsWith("text/", StringComparison.Ordinal)) continue;
                if (Normal(leaves[i].Content) != Normal(pythonLeaves[i].Content))
                    problems.Add($"part {i} ({leaves[i].ContentType}) decodes differently:\nMimeKit: {Normal(leaves[i].Content)}\nPython:  {Normal(pythonLeaves[i].Content)}");
            }
        if (pythonSubject is not null && Words(m.Subject) != Words(pythonSubject))
            problems.Add($"Subject: MimeKit '{m.Subject}', Python '{pythonSubject}'");
        if (problems.Count > 0) throw new InvalidOperationException("MimeKit and Python's email package read the message differently: " + string.Join("; ", problems));
    }

    /// <summary>Verifies the first DKIM-Signature with MimeKit's <see cref="DkimVerifier"/>, the key taken from <paramref name="publicKeyRecord"/>.</summary>
    public static bool VerifyDkim(byte[] message, string publicKeyRecord)
    {
        var m = Load(message);
        var index = m.Headers.IndexOf(HeaderId.DkimSignature);
        if (index < 0) return false;
        var verifier = new DkimVerifier(new RecordLocator(publicKeyRecord));
        try
        {
            return verifier.Verify(m, m.Headers[index]);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static string Normal(string? text) => (text ?? "").Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n', ' ');

    private static string Words(string? text) => string.Join(' ', (text ?? "").Split((char[])[' ', '\t', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries));

    /// <summary>Answers every key lookup with the one record the test published.</summary>
    private sealed class RecordLocator(string record) : DkimPublicKeyLocatorBase
    {
        public override AsymmetricKeyParameter LocatePublicKey(string methods, string domain, string selector, CancellationToken cancellationToken = default)
            => GetPublicKey(record);

        public override Task<AsymmetricKeyParameter> LocatePublicKeyAsync(string methods, string domain, string selector, CancellationToken cancellationToken = default)
            => Task.FromResult(GetPublicKey(record));
    }
}
