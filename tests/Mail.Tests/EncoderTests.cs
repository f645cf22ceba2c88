using System.Buffers;
using Newsletter.Mail.Encoding;

namespace Newsletter.Mail.Tests;

public class EncoderTests
{
    private static string Encode(ContentTransferEncoding encoding, byte[] input, int chunk)
    {
        var output = new ArrayBufferWriter<byte>();
        var state = default(TextEncoderState);
        for (var i = 0; i < input.Length; i += chunk)
        {
            BodyEncoder.Encode(encoding, ref state, input.AsSpan(i, Math.Min(chunk, input.Length - i)), output);
        }
        BodyEncoder.Complete(encoding, ref state, output);
        return System.Text.Encoding.ASCII.GetString(output.WrittenSpan);
    }

    public static TheoryData<int> ChunkSizes => new() { 4096, 1024, 16, 1 };

    [Theory]
    [MemberData(nameof(ChunkSizes))]
    public void Encoders_give_the_same_output_whatever_the_input_chunk_size(int chunk)
    {
        var rnd = new Random(42);
        var sb = new System.Text.StringBuilder();
        for (var i = 0; i < 3000; i++)
        {
            sb.Append(rnd.Next(12) switch { 0 => "\r\n", 1 => "\n", 2 => "\r", 3 => " ", 4 => "\t", 5 => "é", 6 => "=", 7 => ".", 8 => "日", _ => "abcdefgh"[rnd.Next(8)].ToString() });
        }
        var input = System.Text.Encoding.UTF8.GetBytes(sb.ToString());
        foreach (var e in new[] { ContentTransferEncoding.SevenBit, ContentTransferEncoding.QuotedPrintable, ContentTransferEncoding.Base64 })
        {
            Assert.Equal(Encode(e, input, input.Length), Encode(e, input, chunk));
        }
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("f", "Zg==")]
    [InlineData("fo", "Zm8=")]
    [InlineData("foo", "Zm9v")]
    [InlineData("foob", "Zm9vYg==")]
    [InlineData("fooba", "Zm9vYmE=")]
    [InlineData("foobar", "Zm9vYmFy")]
    public void Base64_matches_the_RFC_4648_test_vectors(string input, string expected)
    {
        foreach (var chunk in new[] { 4096, 1 }) Assert.Equal(expected, Encode(ContentTransferEncoding.Base64, System.Text.Encoding.ASCII.GetBytes(input), chunk));
    }

    [Fact]
    public void Base64_lines_are_76_characters_and_line_breaks_are_canonical_crlf()
    {
        var input = System.Text.Encoding.ASCII.GetBytes(new string('a', 100) + "\n" + new string('b', 100));
        var s = Encode(ContentTransferEncoding.Base64, input, 7);
        var lines = s.Split("\r\n");
        Assert.All(lines[..^1], l => Assert.Equal(76, l.Length));
        Assert.Equal(new string('a', 100) + "\r\n" + new string('b', 100), System.Text.Encoding.ASCII.GetString(Convert.FromBase64String(s.Replace("\r\n", ""))));
    }

    [Theory]
    // RFC 2045 §6.7: '=' is encoded, 8-bit octets are =XX upper case, trailing white space before a break is encoded (rule 3).
    [InlineData("a=b", "a=3Db")]
    [InlineData("caf\u00e9", "caf=C3=A9")]
    [InlineData("end \r\nnext", "end=20\r\nnext")]
    [InlineData("tab\t\nx", "tab=09\r\nx")]
    [InlineData("final space ", "final space=20")]
    [InlineData("in between spaces stay", "in between spaces stay")]
    [InlineData(".dot at start\r\n.again", "=2Edot at start\r\n=2Eagain")]
    public void Quoted_printable_known_answers(string input, string expected)
    {
        foreach (var chunk in new[] { 4096, 1 }) Assert.Equal(expected, Encode(ContentTransferEncoding.QuotedPrintable, System.Text.Encoding.UTF8.GetBytes(input), chunk));
    }

    [Fact]
    public void Quoted_printable_soft_breaks_keep_lines_within_76_and_never_split_an_escape()
    {
        var input = System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("ü=x ", 200)));
        var s = Encode(ContentTransferEncoding.QuotedPrintable, input, 3);
        foreach (var line in s.Split("\r\n"))
        {
            Assert.True(line.Length <= 76, line);
            Assert.Matches("^([^=]|=[0-9A-F]{2})*=?$", line);
        }
        var decoded = System.Text.RegularExpressions.Regex.Replace(s.Replace("=\r\n", ""), "=([0-9A-F]{2})", m => ((char)Convert.ToByte(m.Groups[1].Value, 16)).ToString());
        Assert.Equal(input, decoded.Select(c => (byte)c).ToArray());
    }

    [Fact]
    public void Seven_bit_normalises_every_line_break_to_crlf()
    {
        Assert.Equal("a\r\nb\r\nc\r\n\r\nd", Encode(ContentTransferEncoding.SevenBit, "a\rb\nc\r\n\nd"u8.ToArray(), 1));
    }

    [Fact]
    public void Transfer_encoding_is_chosen_from_the_content()
    {
        Assert.Equal(ContentTransferEncoding.SevenBit, TextStats.Of("plain ascii\r\n"u8).Choose());
        Assert.Equal(ContentTransferEncoding.QuotedPrintable, TextStats.Of(System.Text.Encoding.UTF8.GetBytes("mostly ascii with one é")).Choose());
        Assert.Equal(ContentTransferEncoding.QuotedPrintable, TextStats.Of(System.Text.Encoding.ASCII.GetBytes(new string('a', 999))).Choose());
        Assert.Equal(ContentTransferEncoding.Base64, TextStats.Of(System.Text.Encoding.UTF8.GetBytes("日本語のテキスト")).Choose());
        Assert.Equal(ContentTransferEncoding.QuotedPrintable, TextStats.Of("a nul \0 in a longer line of text"u8).Choose());
    }

    [Fact]
    public void Rfc_2047_encoded_words_are_at_most_75_characters_and_decode_back()
    {
        var subject = string.Concat(Enumerable.Repeat("Größenänderung 日本語 ", 8)).Trim();
        var folder = new HeaderFolder("Subject");
        folder.Unstructured(subject);
        var header = folder.ToString();
        foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(header, @"=\?utf-8\?B\?[A-Za-z0-9+/=]*\?=")) Assert.True(m.Length <= 75);
        Assert.All(header.Split("\r\n"), l => Assert.True(l.Length <= 78, l));
        var parsed = PythonEmail.Parse(System.Text.Encoding.ASCII.GetBytes("From: a@b.example\r\n" + header + "\r\nbody\r\n"));
        Assert.Equal(subject, parsed.Header("Subject"));
    }
}
