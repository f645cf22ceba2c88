using Newsletter.Subscribers;

namespace Newsletter.Subscribers.Tests;

public class CsvTests
{
    private static List<(int Line, List<string> Fields, string? Error)> ReadAll(string text)
    {
        using var reader = new ImportCsvReader(new StringReader(text));
        var rows = new List<(int, List<string>, string?)>();
        while (reader.Read(out var line, out var error) is { } fields) rows.Add((line, fields, error));
        return rows;
    }

    [Fact]
    public void Quoted_fields_keep_commas_doubled_quotes_and_line_breaks_and_report_the_first_line()
    {
        var rows = ReadAll("a,b\r\n\"x, y\",\"say \"\"hi\"\"\"\n\n\"multi\nline\",z\n");

        Assert.Equal(3, rows.Count);
        Assert.Equal(["x, y", "say \"hi\""], rows[1].Fields);
        Assert.Equal(2, rows[1].Line);
        Assert.Equal(["multi\nline", "z"], rows[2].Fields);
        Assert.Equal(4, rows[2].Line);
        Assert.All(rows, r => Assert.Null(r.Error));
    }

    [Fact]
    public void An_unclosed_quote_is_reported_as_an_error_on_its_line()
    {
        var rows = ReadAll("email\n\"open@example.com,,\n");

        Assert.Equal("a quoted field is not closed", rows[1].Error);
        Assert.Equal(2, rows[1].Line);
    }

    [Fact]
    public void Empty_fields_and_a_trailing_comma_are_kept()
    {
        var rows = ReadAll("a,,c,\n");

        Assert.Equal(["a", "", "c", ""], rows.Single().Fields);
    }

    [Theory]
    [InlineData("=SUM(A1)", "'=SUM(A1)")]
    [InlineData("+1", "'+1")]
    [InlineData("-1", "'-1")]
    [InlineData("@cmd", "'@cmd")]
    [InlineData("\tx", "'\tx")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("=a,\"b\"", "\"'=a,\"\"b\"\"\"")]
    [InlineData("plain@example.com", "plain@example.com")]
    [InlineData("", "")]
    public async Task Cells_that_a_spreadsheet_would_evaluate_get_a_leading_quote(string value, string expected)
        => Assert.Equal(expected + ",x\r\n", await WriteRowAsync(value, "x"));

    [Fact]
    public async Task Cells_the_service_writes_itself_are_not_defused()
        => Assert.Equal("-1,x\r\n", await WriteFieldsAsync("-1", "x"));

    private static async Task<string> WriteRowAsync(string text, string field)
    {
        using var output = new MemoryStream();
        await using (var csv = new SubscriberCsvWriter(output))
        {
            csv.WriteText(text);
            csv.WriteField(field);
            await csv.EndRecordAsync(CancellationToken.None);
        }
        return System.Text.Encoding.UTF8.GetString(output.ToArray());
    }

    private static async Task<string> WriteFieldsAsync(params string[] fields)
    {
        using var output = new MemoryStream();
        await using (var csv = new SubscriberCsvWriter(output))
        {
            foreach (var field in fields) csv.WriteField(field);
            await csv.EndRecordAsync(CancellationToken.None);
        }
        return System.Text.Encoding.UTF8.GetString(output.ToArray());
    }
}

public class AddressTests
{
    [Theory]
    [InlineData("a\uFFFDb@example.com")]
    [InlineData("a@b.com\r\nBcc: c@d.com")]
    [InlineData("")]
    [InlineData("   ")]
    public void Addresses_with_undecodable_bytes_or_line_breaks_or_nothing_are_refused(string input)
    {
        Assert.Null(SubscriberService.Normalize(input, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Theory]
    [InlineData("x@[10.0.0.5]")]
    [InlineData("X@[192.168.1.1]")]
    [InlineData("x@[IPv6:::1]")]
    [InlineData("x@[IPv6:fe80::1]")]
    public void Addresses_with_an_ip_literal_domain_are_refused(string input)
    {
        Assert.Null(SubscriberService.Normalize(input, out var error));
        Assert.Contains("IP address", error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_suppression_hash_ignores_case_and_surrounding_space()
    {
        var a = SubscriberService.Normalize("  Reader@EXAMPLE.com ", out _)!;
        var b = SubscriberService.Normalize("reader@example.com", out _)!;

        Assert.Equal(SubscriberService.EmailHash(a), SubscriberService.EmailHash(b));
    }
}
