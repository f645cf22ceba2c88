namespace Newsletter.Mail.Encoding;

/// <summary>
/// Where a streaming body encoder stands between two calls: column on the current output line, a held-back
/// white space octet (quoted-printable must encode white space before a line break, RFC 2045 §6.7 rule 3),
/// whether the previous input octet was CR (so CR LF, lone CR and lone LF all become one CRLF, RFC 5322 §2.3),
/// and for base64 the octets of an incomplete 3-octet group.
/// </summary>
internal struct TextEncoderState : IEquatable<TextEncoderState>
{
    public int Column;
    public byte PendingWhiteSpace;
    public bool LastWasCR;
    public bool StartedLine;
    public int GroupCount;
    public byte Group0;
    public byte Group1;

    public readonly bool Equals(TextEncoderState other) =>
        Column == other.Column && PendingWhiteSpace == other.PendingWhiteSpace && LastWasCR == other.LastWasCR &&
        StartedLine == other.StartedLine && GroupCount == other.GroupCount && Group0 == other.Group0 && Group1 == other.Group1;

    public override readonly bool Equals(object? obj) => obj is TextEncoderState s && Equals(s);

    public override readonly int GetHashCode() => HashCode.Combine(Column, PendingWhiteSpace, LastWasCR, StartedLine, GroupCount, Group0, Group1);
}
