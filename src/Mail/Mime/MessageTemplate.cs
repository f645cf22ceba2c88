using System.Buffers;
using System.Text;
using Newsletter.Mail.Encoding;

namespace Newsletter.Mail.Mime;

/// <summary>
/// A message compiled once and rendered per recipient (mail merge). Header values and bodies may contain slot
/// markers <c>{prefix}{name}{suffix}</c> with <c>name</c> in <c>[a-z0-9_]+</c>. Fixed text is encoded at compile
/// time; slot values are encoded per recipient in their context: HTML-escaped in text/html parts, inserted as is in
/// text/plain parts, refused when they contain CR/LF in header values. The output is byte-identical to composing
/// the substituted message with <see cref="EmailMessage.WriteTo"/> (same boundary, Message-ID and Date).
/// Rendering is thread-safe: one template can render for many recipients in parallel.
/// </summary>
public sealed class MessageTemplate
{
    private readonly List<object> _headers = []; // byte[] fixed, HeaderSpec with slots, or ToMarker
    private readonly List<BodyTemplate> _parts = [];
    private readonly string _boundary;
    private readonly string _prefix;
    private readonly string _suffix;
    private readonly HashSet<string> _slotNames = new(StringComparer.Ordinal);
    private readonly IReadOnlyList<Mailbox> _to;
    private readonly bool _toHasSlots;

    private MessageTemplate(EmailMessage message, string prefix, string suffix)
    {
        _prefix = prefix;
        _suffix = suffix;
        _boundary = message.Boundary;
        _to = message.To.ToArray();
        foreach (var spec in message.BuildHeaders([]))
        {
            CollectSlots(spec);
            if (spec.Contains(prefix)) _headers.Add(spec);
            else _headers.Add(spec.FormatBytes());
            if (spec.Name == "From") _headers.Add(ToMarker.Instance);
        }
        var toSpec = new HeaderSpec("To", HeaderKind.Mailboxes, null, _to);
        CollectSlots(toSpec);
        _toHasSlots = toSpec.Contains(prefix);
        if (message.TextBody is not null) _parts.Add(new BodyTemplate(Parse(message.TextBody), false, _slotNames));
        if (message.HtmlBody is not null) _parts.Add(new BodyTemplate(Parse(message.HtmlBody), true, _slotNames));
        if (_parts.Count == 0) _parts.Add(new BodyTemplate([], false, _slotNames));
    }

    /// <summary>Every slot name used by the message.</summary>
    public IReadOnlyCollection<string> SlotNames => _slotNames;

    /// <summary>Compiles <paramref name="message"/>; later changes to the message do not affect the template.</summary>
    /// <exception cref="ArgumentException">The prefix or suffix is empty, or a slot marker is malformed (name not in [a-z0-9_]+ or suffix missing).</exception>
    public static MessageTemplate Compile(EmailMessage message, string slotPrefix, string slotSuffix)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentException.ThrowIfNullOrEmpty(slotPrefix);
        ArgumentException.ThrowIfNullOrEmpty(slotSuffix);
        return new MessageTemplate(message, slotPrefix, slotSuffix);
    }

    /// <summary>Writes the complete message for one recipient.</summary>
    /// <exception cref="ArgumentException">A slot has no value, or a header slot value contains CR/LF.</exception>
    public void Render(IReadOnlyDictionary<string, string> values, IBufferWriter<byte> output) => Render(null, values, output);

    /// <summary>Returns the complete message for one recipient.</summary>
    /// <exception cref="ArgumentException">A slot has no value, or a header slot value contains CR/LF.</exception>
    public byte[] Render(IReadOnlyDictionary<string, string> values) => Render(null, values);

    /// <summary>Returns the complete message for one recipient, with <paramref name="to"/> (when not null) as the To field.</summary>
    /// <exception cref="ArgumentException">A slot has no value, or a header slot value contains CR/LF.</exception>
    public byte[] Render(Mailbox? to, IReadOnlyDictionary<string, string> values)
    {
        var buffer = new ArrayBufferWriter<byte>(8192);
        Render(to, values, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes the complete message for one recipient, with <paramref name="to"/> (when not null) as the To field.</summary>
    /// <exception cref="ArgumentException">A slot has no value, or a header slot value contains CR/LF.</exception>
    public void Render(Mailbox? to, IReadOnlyDictionary<string, string> values, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(output);
        foreach (var name in _slotNames)
        {
            if (!values.ContainsKey(name)) throw new ArgumentException($"No value given for the slot '{name}'.", nameof(values));
        }
        foreach (var piece in _headers)
        {
            switch (piece)
            {
                case byte[] bytes:
                    output.Write(bytes);
                    break;
                case HeaderSpec spec:
                    output.Write(Substitute(spec, values).FormatBytes());
                    break;
                default:
                    IReadOnlyList<Mailbox> list = to is not null ? [to] : _to;
                    if (list.Count > 0)
                    {
                        var toSpec = new HeaderSpec("To", HeaderKind.Mailboxes, null, list);
                        output.Write((to is null && _toHasSlots ? Substitute(toSpec, values) : toSpec).FormatBytes());
                    }
                    break;
            }
        }
        if (_parts.Count == 2)
        {
            TextPart.Append(output, EmailMessage.MultipartHeader(_boundary));
            output.Write("\r\n"u8);
            TextPart.Append(output, "--" + _boundary + "\r\n");
            _parts[0].Render(values, output);
            TextPart.Append(output, "\r\n--" + _boundary + "\r\n");
            _parts[1].Render(values, output);
            TextPart.Append(output, "\r\n--" + _boundary + "--\r\n");
        }
        else
        {
            if (!_parts[0].Render(values, output)) output.Write("\r\n"u8);
        }
    }

    private HeaderSpec Substitute(HeaderSpec spec, IReadOnlyDictionary<string, string> values)
    {
        string? Sub(string? s)
        {
            if (s is null || !s.Contains(_prefix, StringComparison.Ordinal)) return s;
            var sb = new StringBuilder(s.Length + 32);
            foreach (var seg in Parse(s, collect: false))
            {
                if (seg.IsSlot)
                {
                    var v = values[seg.Text];
                    if (v.AsSpan().IndexOfAny('\r', '\n') >= 0) throw new ArgumentException($"The value for slot '{seg.Text}' contains CR or LF, which a header cannot hold.", nameof(values));
                    sb.Append(v);
                }
                else sb.Append(seg.Text);
            }
            return sb.ToString();
        }
        IReadOnlyList<Mailbox>? boxes = spec.Mailboxes?.Select(m => m with { DisplayName = Sub(m.DisplayName) }).ToArray();
        return spec with { Value = Sub(spec.Value), Mailboxes = boxes };
    }

    private void CollectSlots(HeaderSpec spec)
    {
        if (spec.Value is not null) Parse(spec.Value);
        if (spec.Mailboxes is not null)
        {
            foreach (var m in spec.Mailboxes)
            {
                if (m.DisplayName is not null) Parse(m.DisplayName);
            }
        }
    }

    private List<Segment> Parse(string text, bool collect = true)
    {
        var list = new List<Segment>();
        var pos = 0;
        while (pos < text.Length)
        {
            var start = text.IndexOf(_prefix, pos, StringComparison.Ordinal);
            if (start < 0) break;
            var nameStart = start + _prefix.Length;
            var end = nameStart;
            while (end < text.Length && (char.IsAsciiLetterLower(text[end]) || char.IsAsciiDigit(text[end]) || text[end] == '_')) end++;
            if (end == nameStart || string.CompareOrdinal(text, end, _suffix, 0, _suffix.Length) != 0)
            {
                throw new ArgumentException($"Malformed slot marker at offset {start}: expected {_prefix}name{_suffix} with name in [a-z0-9_]+.", nameof(text));
            }
            if (start > pos) list.Add(new Segment(false, text[pos..start]));
            var name = text[nameStart..end];
            if (collect) _slotNames.Add(name);
            list.Add(new Segment(true, name));
            pos = end + _suffix.Length;
        }
        if (pos < text.Length) list.Add(new Segment(false, text[pos..]));
        return list;
    }

    private readonly record struct Segment(bool IsSlot, string Text);

    private sealed class ToMarker
    {
        public static readonly ToMarker Instance = new();
    }

    private sealed class BodyTemplate
    {
        private readonly object[] _segments; // Fixed or string (slot name)
        private readonly bool _html;

        public BodyTemplate(List<Segment> segments, bool html, HashSet<string> names)
        {
            _html = html;
            _segments = segments.Select(s => s.IsSlot ? (object)s.Text : new Fixed(System.Text.Encoding.UTF8.GetBytes(s.Text))).ToArray();
            _ = names;
        }

        /// <summary>Writes the part; true when the output ends with a line break.</summary>
        public bool Render(IReadOnlyDictionary<string, string> values, IBufferWriter<byte> output)
        {
            var encodedValues = new byte[_segments.Length][];
            var stats = default(TextStats);
            var first = true;
            for (var i = 0; i < _segments.Length; i++)
            {
                TextStats s;
                if (_segments[i] is Fixed f) s = f.Stats;
                else
                {
                    var v = values[(string)_segments[i]];
                    encodedValues[i] = System.Text.Encoding.UTF8.GetBytes(_html ? TextPart.HtmlEscape(v) : v);
                    s = TextStats.Of(encodedValues[i]);
                }
                stats = first ? s : TextStats.Combine(stats, s);
                first = false;
            }
            var encoding = stats.Choose();
            TextPart.Write(output, _html ? TextPart.HtmlHeader : TextPart.PlainHeader, encoding);
            output.Write("\r\n"u8);
            var state = default(TextEncoderState);
            for (var i = 0; i < _segments.Length; i++)
            {
                if (_segments[i] is Fixed f) f.Encode(encoding, ref state, output);
                else BodyEncoder.Encode(encoding, ref state, encodedValues[i], output);
            }
            BodyEncoder.Complete(encoding, ref state, output);
            for (var i = _segments.Length - 1; i >= 0; i--)
            {
                var last = _segments[i] is Fixed f ? f.Bytes : encodedValues[i];
                if (last.Length > 0) return TextPart.EndsWithBreak(encoding, last);
            }
            return false;
        }
    }

    /// <summary>Fixed text with its encoded form after the first line break precomputed for 7bit and QP.</summary>
    private sealed class Fixed
    {
        private readonly byte[] _bytes;
        private readonly int _reset;
        private readonly byte[]? _tail7;
        private readonly byte[]? _tailQp;
        private readonly TextEncoderState _end7;
        private readonly TextEncoderState _endQp;

        public Fixed(byte[] bytes)
        {
            _bytes = bytes;
            Stats = TextStats.Of(bytes);
            _reset = BodyEncoder.FindResetPoint(bytes);
            if (_reset > 0)
            {
                (_tail7, _end7) = EncodeTail(ContentTransferEncoding.SevenBit);
                (_tailQp, _endQp) = EncodeTail(ContentTransferEncoding.QuotedPrintable);
            }
        }

        public TextStats Stats { get; }

        public byte[] Bytes => _bytes;

        private (byte[], TextEncoderState) EncodeTail(ContentTransferEncoding encoding)
        {
            var state = BodyEncoder.StateAfterBreak(_bytes[_reset - 1]);
            var buffer = new ArrayBufferWriter<byte>(_bytes.Length * 2 + 16);
            BodyEncoder.Encode(encoding, ref state, _bytes.AsSpan(_reset), buffer);
            return (buffer.WrittenSpan.ToArray(), state);
        }

        public void Encode(ContentTransferEncoding encoding, ref TextEncoderState state, IBufferWriter<byte> output)
        {
            if (_reset < 0 || encoding == ContentTransferEncoding.Base64)
            {
                BodyEncoder.Encode(encoding, ref state, _bytes, output);
                return;
            }
            BodyEncoder.Encode(encoding, ref state, _bytes.AsSpan(0, _reset), output);
            if (encoding == ContentTransferEncoding.SevenBit)
            {
                output.Write(_tail7);
                state = _end7;
            }
            else
            {
                output.Write(_tailQp);
                state = _endQp;
            }
        }
    }
}
