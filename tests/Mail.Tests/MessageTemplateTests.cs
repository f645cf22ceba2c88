using Newsletter.Mail.Mime;

namespace Newsletter.Mail.Tests;

public class MessageTemplateTests
{
    private const string Pre = "{{{a1b2c3d4.";
    private const string Suf = "}}}";

    private static string S(string name) => Pre + name + Suf;

    private static EmailMessage Build(string subject, string text, string html, string? messageId = null)
    {
        var m = EmailMessageTests.Sample(text, html, subject);
        if (messageId is not null) m.MessageId = messageId;
        m.Headers.Add("List-Unsubscribe", "<https://verdicts.example/u/" + S("token") + ">");
        return m;
    }

    private static string Substitute(string s, IReadOnlyDictionary<string, string> values, bool html)
    {
        foreach (var kv in values) s = s.Replace(S(kv.Key), html ? Escape(kv.Value) : kv.Value, StringComparison.Ordinal);
        return s;
    }

    private static string Escape(string v) => v.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&quot;").Replace("'", "&#39;");

    public static TheoryData<string, string, string> Bodies => new()
    {
        // 7bit
        { "Hi " + S("name") + ",\nyour verdicts:\n" + S("list") + "\nBye\n", "<p>Hi " + S("name") + "</p>\n<a href=\"x?t=" + S("token") + "\">u</a>\n", "Plain" },
        // quoted-printable (non-ASCII and long lines around the slots)
        { "Grüße " + S("name") + new string('x', 70) + S("token") + " \nline " + S("name") + "\n" + new string('é', 30) + S("list"), "<p>Schön " + S("name") + "</p>" + new string('y', 100) + "\r\n" + S("token"), "Ümläut" },
        // slots at the very start and end, adjacent slots
        { S("name") + S("token") + "\n" + S("list"), S("name") + "\n\n" + S("name"), "x" },
    };

    public static TheoryData<string, string, string> Values => new()
    {
        { "Ann", "tok123", "a\nb\nc" },
        { "Jörg O'Brien & <Co>", new string('t', 90), "first line is long " + new string('z', 120) + "\ntrailing space \n" },
        { "", "", "" },
        { "日本", "tok", ".leading dot\r\nline" },
    };

    [Fact]
    public void Rendered_output_is_byte_identical_to_composing_the_substituted_message()
    {
        foreach (var body in Bodies)
        {
            foreach (var v in Values)
            {
                var (text, html, subject) = ((string)body[0], (string)body[1], (string)body[2]);
                var values = new Dictionary<string, string> { ["name"] = (string)v[0], ["token"] = (string)v[1], ["list"] = (string)v[2] };
                var template = MessageTemplate.Compile(Build(subject + " " + S("name"), text, html, "m." + S("token") + "@verdicts.example"), Pre, Suf);
                Assert.Equal(["list", "name", "token"], template.SlotNames.Order());
                var expected = Build(subject + " " + values["name"], Substitute(text, values, false), Substitute(html, values, true), "m." + (values["token"].Length > 0 ? values["token"] : "x") + "@verdicts.example");
                expected.Headers.Remove("List-Unsubscribe");
                expected.Headers.Add("List-Unsubscribe", "<https://verdicts.example/u/" + values["token"] + ">");
                if (values["token"].Length == 0) continue; // an empty Message-ID left part is not valid input for the direct path
                var rendered = template.Render(values);
                Assert.Equal(System.Text.Encoding.UTF8.GetString(expected.ToArray()), System.Text.Encoding.UTF8.GetString(rendered));
            }
        }
    }

    [Fact]
    public void Html_slot_values_are_escaped_and_cannot_inject_markup()
    {
        var template = MessageTemplate.Compile(Build("s", "T " + S("name"), "<p>" + S("name") + "</p>"), Pre, Suf);
        var bytes = template.Render(new Dictionary<string, string> { ["name"] = "<script>alert('x')</script>&\"", ["token"] = "t" });
        var p = PythonEmail.Parse(bytes);
        Assert.Equal("<p>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;</p>", p.GetProperty("parts")[1].GetProperty("content").GetString());
        Assert.Equal("T <script>alert('x')</script>&\"", p.GetProperty("parts")[0].GetProperty("content").GetString());
    }

    [Fact]
    public void Quoted_printable_lines_stay_within_76_after_insertion()
    {
        var text = "é" + new string('a', 74) + S("v") + new string('b', 60) + S("v") + "\n" + S("v");
        var template = MessageTemplate.Compile(Build("s", text, "<p>é</p>"), Pre, Suf);
        foreach (var len in new[] { 0, 1, 2, 3, 75, 76, 77, 200 })
        {
            var value = new string('=', len / 2) + new string('q', len - len / 2);
            var bytes = template.Render(new Dictionary<string, string> { ["v"] = value, ["token"] = "t" });
            var s = System.Text.Encoding.ASCII.GetString(bytes);
            Assert.Contains("quoted-printable", s, StringComparison.Ordinal);
            Assert.All(s.Split("\r\n"), l => Assert.True(l.Length <= 78, $"{l.Length}: {l}"));
            var body = s[(s.IndexOf("quoted-printable", StringComparison.Ordinal) + 20)..s.IndexOf("--=_b0undary\r\nContent-Type: text/html", StringComparison.Ordinal)];
            Assert.All(body.Split("\r\n"), l => Assert.True(l.Length <= 76, $"{l.Length}: {l}"));
            Assert.Equal(text.Replace(S("v"), value, StringComparison.Ordinal), PythonEmail.Parse(bytes).GetProperty("parts")[0].GetProperty("content").GetString());
        }
    }

    [Fact]
    public void Missing_values_and_header_line_breaks_are_rejected_by_name()
    {
        var template = MessageTemplate.Compile(Build("Hello " + S("name"), "x", "y"), Pre, Suf);
        var missing = Assert.Throws<ArgumentException>(() => template.Render(new Dictionary<string, string> { ["name"] = "n" }));
        Assert.Contains("'token'", missing.Message, StringComparison.Ordinal);
        var crlf = Assert.Throws<ArgumentException>(() => template.Render(new Dictionary<string, string> { ["name"] = "n\r\nBcc: x@y.z", ["token"] = "t" }));
        Assert.Contains("'name'", crlf.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => MessageTemplate.Compile(Build("s", "bad " + Pre + "Upper" + Suf, "y"), Pre, Suf));
    }

    [Fact]
    public void Recipient_mailbox_can_be_given_per_render()
    {
        var template = MessageTemplate.Compile(Build("s", "x " + S("name"), "y"), Pre, Suf);
        var bytes = template.Render(new Mailbox("Zoë", EmailAddress.Parse("zoe@example.com")), new Dictionary<string, string> { ["name"] = "n", ["token"] = "t" });
        var p = PythonEmail.Parse(bytes);
        Assert.Equal("Zoë <zoe@example.com>", p.Header("To"));
    }
}
