using System.Text;
using System.Text.Json;
using Newsletter.TestSupport;

namespace Newsletter.Mail.Tests;

/// <summary>Parses a message with Python's email package (policy.default) and returns its decoded view as JSON.</summary>
internal static class PythonEmail
{
    private const string Script = """
import sys, json, email
from email import policy
raw = sys.stdin.buffer.read()
m = email.message_from_bytes(raw, policy=policy.default)
out = {"headers": {k: str(v) for k, v in m.items()}, "defects": [str(d) for d in m.defects], "parts": [], "is_multipart": m.is_multipart(), "content_type": m.get_content_type()}
for p in (m.walk() if m.is_multipart() else [m]):
    if p.is_multipart():
        continue
    out["parts"].append({"type": p.get_content_type(), "charset": p.get_content_charset(), "cte": p.get("Content-Transfer-Encoding"),
                         "content": p.get_content().replace("\r\n", "\n"), "defects": [str(d) for d in p.defects]})
out["from_display"] = m["From"].addresses[0].display_name if m["From"] else None
print(json.dumps(out))
""";

    public static JsonElement Parse(byte[] message)
    {
        var r = PythonRunner.Run(Script, message);
        Assert.True(r.ExitCode == 0, "python failed: " + r.StandardError);
        var root = JsonDocument.Parse(r.StandardOutput).RootElement;
        // A second, independent reader: MimeKit must see the same parts, text and subject.
        MimeKitOpinion.Agree(message, root.GetProperty("content_type").GetString()!,
            root.GetProperty("parts").EnumerateArray().Select(p => new MimeKitOpinion.Leaf(p.GetProperty("type").GetString()!, p.GetProperty("content").GetString())).ToList(),
            root.GetProperty("headers").TryGetProperty("Subject", out var subject) ? subject.GetString() : null);
        return root;
    }

    public static string Header(this JsonElement parsed, string name) => parsed.GetProperty("headers").GetProperty(name).GetString()!;

    public static string Text(string s) => System.Text.Encoding.UTF8.GetString(System.Text.Encoding.UTF8.GetBytes(s));
}
