using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Newsletter.Mail.Dkim;

/// <summary>
/// Signs messages with DKIM (RFC 6376): rsa-sha256 (RFC 8301), relaxed/relaxed canonicalization. Thread-safe: one
/// signer can sign from many threads at once.
/// </summary>
public sealed class DkimSigner
{
    /// <summary>Headers signed when present unless the caller gives a list.</summary>
    public static readonly IReadOnlyList<string> DefaultHeaders =
    [
        "From", "Reply-To", "To", "Cc", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type", "Content-Transfer-Encoding",
        "List-Unsubscribe", "List-Unsubscribe-Post", "List-Id", "Feedback-ID",
    ];

    private readonly RSA _key;
    private readonly string[] _headers;
    private readonly TimeProvider _time;
    private readonly string _domain;
    private readonly string _selector;

    /// <summary>Creates a signer.</summary>
    /// <param name="domain">The signing domain (d=); converted to IDNA ASCII.</param>
    /// <param name="selector">The selector (s=): the key is published at selector._domainkey.domain.</param>
    /// <param name="privateKey">RSA private key, at least 1024 bits (2048 recommended).</param>
    /// <param name="headersToSign">Header names to sign when present; must include From. Defaults to <see cref="DefaultHeaders"/>.</param>
    /// <param name="time">Clock for the t= tag; <see cref="TimeProvider.System"/> by default.</param>
    /// <exception cref="ArgumentException">Invalid domain or selector, a list without From, a bad header name, or a key shorter than 1024 bits.</exception>
    public DkimSigner(string domain, string selector, RSA privateKey, IEnumerable<string>? headersToSign = null, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(domain);
        ArgumentException.ThrowIfNullOrWhiteSpace(selector);
        ArgumentNullException.ThrowIfNull(privateKey);
        if (privateKey.KeySize < 1024) throw new ArgumentException($"The RSA key has {privateKey.KeySize} bits; DKIM needs at least 1024 (RFC 8301 §3.2).", nameof(privateKey));
        try
        {
            _domain = new IdnMapping().GetAscii(domain.Trim()).ToLowerInvariant();
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"'{domain}' is not a valid domain.", nameof(domain), e);
        }
        foreach (var label in selector.Split('.'))
        {
            if (label.Length == 0 || !label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')) throw new ArgumentException($"'{selector}' is not a valid selector (RFC 6376 §3.1).", nameof(selector));
        }
        _selector = selector;
        _headers = (headersToSign ?? DefaultHeaders).ToArray();
        foreach (var h in _headers)
        {
            if (string.IsNullOrEmpty(h) || h.Any(c => c <= ' ' || c > '~' || c == ':')) throw new ArgumentException($"'{h}' is not a valid header name.", nameof(headersToSign));
        }
        if (!_headers.Contains("From", StringComparer.OrdinalIgnoreCase))
        {
            throw new ArgumentException("The list of headers to sign must include From (RFC 6376 §5.4).", nameof(headersToSign));
        }
        _key = privateKey;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Creates a signer with a PEM key file ("BEGIN PRIVATE KEY" or "BEGIN RSA PRIVATE KEY").</summary>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="ArgumentException">The file holds no usable RSA private key, or another argument is invalid (see the constructor).</exception>
    public static DkimSigner FromPemFile(string domain, string selector, string pemPath, IEnumerable<string>? headersToSign = null, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(pemPath);
        var pem = File.ReadAllText(pemPath);
        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
        }
        catch (CryptographicException e)
        {
            rsa.Dispose();
            throw new ArgumentException($"{pemPath} holds no usable RSA private key: {e.Message}", nameof(pemPath), e);
        }
        return new DkimSigner(domain, selector, rsa, headersToSign, time);
    }

    /// <summary>The signing domain (d=).</summary>
    public string Domain => _domain;

    /// <summary>The selector (s=).</summary>
    public string Selector => _selector;

    /// <summary>Returns the message with a DKIM-Signature header prepended.</summary>
    /// <exception cref="MailException">The message header block is malformed or has no From field.</exception>
    public byte[] Sign(ReadOnlySpan<byte> message)
    {
        var header = CreateSignatureHeader(message);
        var result = new byte[header.Length + message.Length];
        header.CopyTo(result, 0);
        message.CopyTo(result.AsSpan(header.Length));
        return result;
    }

    /// <summary>Writes the DKIM-Signature header, then the message.</summary>
    /// <exception cref="MailException">The message header block is malformed or has no From field.</exception>
    public void Sign(ReadOnlySpan<byte> message, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.Write(CreateSignatureHeader(message));
        output.Write(message);
    }

    /// <summary>Only the DKIM-Signature header field (with its CRLF), to be put in front of the unchanged message.</summary>
    /// <exception cref="MailException">The message header block is malformed or has no From field.</exception>
    public byte[] CreateSignatureHeader(ReadOnlySpan<byte> message)
    {
        var fields = DkimCanonicalizer.ParseHeaders(message, out var bodyStart);
        var bodyHash = Convert.ToBase64String(DkimCanonicalizer.HashBody(message[bodyStart..]));

        // RFC 6376 §5.4.2: for each name, sign instances from the bottom up.
        var used = new bool[fields.Count];
        var signed = new List<(string Name, int Index)>(_headers.Length);
        foreach (var name in _headers)
        {
            for (var i = fields.Count - 1; i >= 0; i--)
            {
                if (!used[i] && string.Equals(fields[i].Name, name, StringComparison.OrdinalIgnoreCase))
                {
                    used[i] = true;
                    signed.Add((name, i));
                    break;
                }
            }
        }
        if (!signed.Any(s => string.Equals(s.Name, "From", StringComparison.OrdinalIgnoreCase)))
        {
            throw new MailException("The message has no From header; it cannot be DKIM-signed (RFC 6376 §5.4).");
        }

        var sb = new StringBuilder(512);
        sb.Append("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=").Append(_domain).Append("; s=").Append(_selector).Append(";\r\n\tt=")
          .Append(_time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)).Append("; h=");
        var lineLen = 12;
        for (var k = 0; k < signed.Count; k++)
        {
            var token = signed[k].Name.ToLowerInvariant() + (k + 1 < signed.Count ? ":" : ";");
            if (lineLen + token.Length > 76)
            {
                sb.Append("\r\n\t  ");
                lineLen = 3;
            }
            sb.Append(token);
            lineLen += token.Length;
        }
        sb.Append("\r\n\tbh=").Append(bodyHash).Append(";\r\n\tb=");
        var unsignedHeader = sb.ToString();

        // RFC 6376 §3.7: hash the signed fields, then this field with an empty b= and without its final CRLF.
        var data = new ArrayBufferWriter<byte>(2048);
        foreach (var (_, index) in signed)
        {
            var (_, start, length) = fields[index];
            DkimCanonicalizer.AppendHeader(message.Slice(start, length), data, withCrlf: true);
        }
        DkimCanonicalizer.AppendHeader(System.Text.Encoding.ASCII.GetBytes(unsignedHeader), data, withCrlf: false);
        var signature = Convert.ToBase64String(_key.SignData(data.WrittenSpan, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

        var result = new StringBuilder(unsignedHeader.Length + signature.Length + 16);
        result.Append(unsignedHeader);
        for (var i = 0; i < signature.Length; i += 72)
        {
            if (i > 0) result.Append("\r\n\t  ");
            result.Append(signature, i, Math.Min(72, signature.Length - i));
        }
        result.Append("\r\n");
        return System.Text.Encoding.ASCII.GetBytes(result.ToString());
    }
}
