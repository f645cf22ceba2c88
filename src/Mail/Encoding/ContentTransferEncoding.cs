namespace Newsletter.Mail.Encoding;

/// <summary>The body transfer encodings this library writes (RFC 2045 §6).</summary>
public enum ContentTransferEncoding
{
    /// <summary>ASCII text with lines of at most 998 octets, sent as is.</summary>
    SevenBit,

    /// <summary>Mostly-ASCII text, RFC 2045 §6.7.</summary>
    QuotedPrintable,

    /// <summary>Mostly non-ASCII text, RFC 2045 §6.8.</summary>
    Base64,
}
