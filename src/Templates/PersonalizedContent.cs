using System.Buffers;
using System.Text;

namespace Newsletter.Templates;

/// <summary>
/// The per-recipient step on the content side: an edition rendered once with marker strings (see <see cref="PersonalSlots"/>)
/// is split once at the markers; each recipient's copy is then a concatenation of the literal segments and the
/// recipient's values — HTML-escaped in the HTML part, verbatim in the text part.
/// </summary>
public sealed class PersonalizedContent
{
    private readonly SlotTemplate html;
    private readonly SlotTemplate text;

    private PersonalizedContent(SlotTemplate html, SlotTemplate text, string subject)
    {
        this.html = html;
        this.text = text;
        Subject = subject;
    }

    /// <summary>The (non-personal) subject.</summary>
    public string Subject { get; }

    /// <summary>How many markers the HTML part contains (for diagnostics and tests).</summary>
    public int HtmlSlotCount => html.SlotCount;

    /// <summary>How many markers the text part contains.</summary>
    public int TextSlotCount => text.SlotCount;

    /// <summary>Splits <paramref name="email"/> at the marker strings in <paramref name="markers"/>.</summary>
    public static PersonalizedContent Create(RenderedEmail email, PersonalSlots markers)
    {
        ArgumentNullException.ThrowIfNull(email);
        ArgumentNullException.ThrowIfNull(markers);
        string[] keys = [markers.UnsubscribeUrl, markers.Email];
        // The renderer's HTML encoder leaves markers like "{{{k3j4.unsubscribe_url}}}" intact; if a caller chose a
        // marker with characters it does escape, look for the escaped form too.
        return new PersonalizedContent(SlotTemplate.Parse(email.Html, keys, htmlEncodedAlso: true), SlotTemplate.Parse(email.Text, keys, htmlEncodedAlso: false), email.Subject);
    }

    /// <summary>The HTML part for one recipient (values HTML-escaped).</summary>
    public string Html(PersonalSlots values) => html.Fill([HtmlEscape(values.UnsubscribeUrl), HtmlEscape(values.Email)]);

    /// <summary>The text part for one recipient (values verbatim).</summary>
    public string Text(PersonalSlots values) => text.Fill([values.UnsubscribeUrl, values.Email]);

    /// <summary>
    /// Writes the HTML part for one recipient as UTF-8 into <paramref name="output"/> (no per-recipient string allocation:
    /// the literal segments are pre-encoded once). This is the fast path for the MIME mail-merge.
    /// </summary>
    public void WriteHtml(PersonalSlots values, IBufferWriter<byte> output) => html.Write([HtmlEscape(values.UnsubscribeUrl), HtmlEscape(values.Email)], output);

    /// <summary>Writes the text part for one recipient as UTF-8 into <paramref name="output"/>.</summary>
    public void WriteText(PersonalSlots values, IBufferWriter<byte> output) => text.Write([values.UnsubscribeUrl, values.Email], output);

    /// <summary>Minimal HTML escaping valid in text and double/single-quoted attribute positions.</summary>
    public static string HtmlEscape(string value)
    {
        if (value.AsSpan().IndexOfAny("&<>\"'") < 0)
        {
            return value;
        }

        var sb = new StringBuilder(value.Length + 16);
        foreach (var c in value)
        {
            sb.Append(c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                _ => null,
            } ?? c.ToString());
        }

        return sb.ToString();
    }

    /// <summary>A string split at marker occurrences: literal, slot, literal, slot, ..., literal.</summary>
    private sealed class SlotTemplate
    {
        private readonly string[] literals;
        private readonly byte[][] utf8Literals;
        private readonly int[] slots;
        private readonly int literalLength;

        private SlotTemplate(string[] literals, int[] slots)
        {
            this.literals = literals;
            this.slots = slots;
            literalLength = literals.Sum(l => l.Length);
            utf8Literals = literals.Select(Encoding.UTF8.GetBytes).ToArray();
        }

        public int SlotCount => slots.Length;

        public static SlotTemplate Parse(string source, string[] markers, bool htmlEncodedAlso)
        {
            var patterns = new List<(string Text, int Slot)>();
            for (var i = 0; i < markers.Length; i++)
            {
                if (string.IsNullOrEmpty(markers[i]))
                {
                    continue;
                }

                patterns.Add((markers[i], i));
                if (htmlEncodedAlso)
                {
                    var encoded = System.Text.Encodings.Web.HtmlEncoder.Default.Encode(markers[i]);
                    if (encoded != markers[i])
                    {
                        patterns.Add((encoded, i));
                    }
                }
            }

            var literals = new List<string>();
            var slots = new List<int>();
            var pos = 0;
            while (true)
            {
                var next = -1;
                var which = -1;
                foreach (var (text, slot) in patterns)
                {
                    var at = source.IndexOf(text, pos, StringComparison.Ordinal);
                    if (at >= 0 && (next < 0 || at < next || (at == next && text.Length > patterns[which].Text.Length)))
                    {
                        next = at;
                        which = patterns.FindIndex(p => p.Text == text && p.Slot == slot);
                    }
                }

                if (next < 0)
                {
                    literals.Add(source[pos..]);
                    break;
                }

                literals.Add(source[pos..next]);
                slots.Add(patterns[which].Slot);
                pos = next + patterns[which].Text.Length;
            }

            return new SlotTemplate([.. literals], [.. slots]);
        }

        public void Write(string[] values, IBufferWriter<byte> output)
        {
            for (var i = 0; i < utf8Literals.Length; i++)
            {
                output.Write(utf8Literals[i]);
                if (i < slots.Length)
                {
                    var v = values[slots[i]];
                    var span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(v.Length));
                    output.Advance(Encoding.UTF8.GetBytes(v, span));
                }
            }
        }

        public string Fill(string[] values)
        {
            var length = literalLength;
            foreach (var s in slots)
            {
                length += values[s].Length;
            }

            return string.Create(length, (this, values), static (span, state) =>
            {
                var (self, vals) = state;
                var at = 0;
                for (var i = 0; i < self.literals.Length; i++)
                {
                    self.literals[i].AsSpan().CopyTo(span[at..]);
                    at += self.literals[i].Length;
                    if (i < self.slots.Length)
                    {
                        var v = vals[self.slots[i]];
                        v.AsSpan().CopyTo(span[at..]);
                        at += v.Length;
                    }
                }
            });
        }
    }
}
