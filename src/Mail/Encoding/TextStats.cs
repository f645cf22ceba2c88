namespace Newsletter.Mail.Encoding;

/// <summary>
/// Statistics of UTF-8 text that decide its transfer encoding. Stats of adjacent pieces combine exactly,
/// so a template can decide the same way as composing the whole text.
/// </summary>
internal readonly record struct TextStats(long Octets, long NeedEncoding, int Lead, int Trail, int MaxInner, bool HasBreak)
{
    public const int MaxLineOctets = 998; // RFC 5322 §2.1.1

    public int MaxLine => Math.Max(Math.Max(Lead, Trail), MaxInner);

    public static TextStats Of(ReadOnlySpan<byte> text)
    {
        long octets = 0, need = 0;
        int lead = 0, cur = 0, maxInner = 0;
        var hasBreak = false;
        foreach (var b in text)
        {
            if (b is (byte)'\r' or (byte)'\n')
            {
                if (!hasBreak) { lead = cur; hasBreak = true; }
                else if (cur > maxInner) maxInner = cur;
                cur = 0;
                continue;
            }
            octets++;
            cur++;
            if (b >= 0x7F || (b < 0x20 && b != (byte)'\t')) need++;
        }
        return hasBreak ? new TextStats(octets, need, lead, cur, maxInner, true) : new TextStats(octets, need, cur, cur, 0, false);
    }

    public static TextStats Combine(TextStats a, TextStats b)
    {
        var octets = a.Octets + b.Octets;
        var need = a.NeedEncoding + b.NeedEncoding;
        if (!a.HasBreak && !b.HasBreak) return new TextStats(octets, need, a.Lead + b.Lead, a.Lead + b.Lead, 0, false);
        if (!a.HasBreak) return new TextStats(octets, need, a.Lead + b.Lead, b.Trail, b.MaxInner, true);
        if (!b.HasBreak) return new TextStats(octets, need, a.Lead, a.Trail + b.Lead, a.MaxInner, true);
        return new TextStats(octets, need, a.Lead, b.Trail, Math.Max(Math.Max(a.MaxInner, b.MaxInner), a.Trail + b.Lead), true);
    }

    /// <summary>7bit when possible; base64 when quoted-printable would be larger (more than 1 in 6 octets encoded), else QP.</summary>
    public ContentTransferEncoding Choose()
    {
        if (NeedEncoding == 0 && MaxLine <= MaxLineOctets) return ContentTransferEncoding.SevenBit;
        return NeedEncoding * 6 > Octets ? ContentTransferEncoding.Base64 : ContentTransferEncoding.QuotedPrintable;
    }
}
