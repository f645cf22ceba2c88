using System.Text.Json;

namespace Newsletter.TestSupport;

/// <summary>
/// A message as Python's <c>email</c> package (policy.default) reads it: headers decoded, every leaf part decoded
/// to text with its content type, charset and transfer encoding, and the parser's defects. An independent reading
/// of what we sent.
/// </summary>
public sealed class ParsedEmail
{
    private const string Script = """
import sys, json, email
from email import policy
raw = sys.stdin.buffer.read()
m = email.message_from_bytes(raw, policy=policy.default)
out = {"headers": [[k, str(v)] for k, v in m.items()], "defects": [str(d) for d in m.defects], "parts": [],
       "is_multipart": m.is_multipart(), "content_type": m.get_content_type()}
for p in (m.walk() if m.is_multipart() else [m]):
    if p.is_multipart():
        continue
    out["parts"].append({"type": p.get_content_type(), "charset": p.get_content_charset(), "cte": p.get("Content-Transfer-Encoding"),
                         "content": p.get_content().replace("\r\n", "\n"), "defects": [str(d) for d in p.defects]})
print(json.dumps(out))
""";

    private ParsedEmail(JsonElement root)
    {
        Headers = root.GetProperty("headers").EnumerateArray().Select(h => (h[0].GetString()!, h[1].GetString()!)).ToList();
        Defects = root.GetProperty("defects").EnumerateArray().Select(d => d.GetString()!)
            .Concat(root.GetProperty("parts").EnumerateArray().SelectMany(p => p.GetProperty("defects").EnumerateArray().Select(d => d.GetString()!))).ToList();
        ContentType = root.GetProperty("content_type").GetString()!;
        Parts = root.GetProperty("parts").EnumerateArray().Select(p => new Part(
            p.GetProperty("type").GetString()!, p.GetProperty("charset").GetString(), p.GetProperty("cte").GetString(), p.GetProperty("content").GetString()!)).ToList();
    }

    public sealed record Part(string ContentType, string? Charset, string? TransferEncoding, string Content);

    public IReadOnlyList<(string Name, string Value)> Headers { get; }

    public IReadOnlyList<string> Defects { get; }

    public string ContentType { get; }

    public IReadOnlyList<Part> Parts { get; }

    public string? Text => Parts.FirstOrDefault(p => p.ContentType == "text/plain")?.Content;

    public string? Html => Parts.FirstOrDefault(p => p.ContentType == "text/html")?.Content;

    /// <summary>The first header of that name (case-insensitive), decoded; null when absent.</summary>
    public string? Header(string name) => Headers.FirstOrDefault(h => string.Equals(h.Name, name, StringComparison.OrdinalIgnoreCase)).Value;

    /// <summary>Parses with /usr/bin/python3, and checks that MimeKit reads the same (<see cref="MimeKitOpinion.Agree"/>).</summary>
    /// <exception cref="InvalidOperationException">Python failed to run or to parse, or MimeKit reads the message differently.</exception>
    public static ParsedEmail Parse(byte[] message)
    {
        var r = PythonRunner.Run(Script, message);
        if (r.ExitCode != 0) throw new InvalidOperationException("python email parser failed: " + r.StandardError);
        var parsed = new ParsedEmail(JsonDocument.Parse(r.StandardOutput).RootElement);
        // A second, independent reader: MimeKit must see the same parts, text and subject.
        MimeKitOpinion.Agree(message, parsed.ContentType, parsed.Parts.Select(p => new MimeKitOpinion.Leaf(p.ContentType, p.Content)).ToList(), parsed.Header("Subject"));
        return parsed;
    }
}
