namespace Newsletter.Mail.Tests;

public class EmailAddressTests
{
    [Theory]
    [InlineData("user@example.com", "user", "example.com")]
    [InlineData("First.Last+tag@Example.COM", "First.Last+tag", "example.com")]
    [InlineData("\"john doe\"@example.com", "\"john doe\"", "example.com")]
    [InlineData("\"a\\\"b\"@example.com", "\"a\\\"b\"", "example.com")]
    [InlineData("user@bücher.example", "user", "xn--bcher-kva.example")]
    [InlineData("jörg@example.de", "jörg", "example.de")]
    [InlineData("x@[192.0.2.1]", "x", "[192.0.2.1]")]
    [InlineData("!#$%&'*+-/=?^_`{|}~@example.org", "!#$%&'*+-/=?^_`{|}~", "example.org")]
    public void Valid_addresses_parse_into_local_part_and_lower_cased_ascii_domain(string text, string local, string domain)
    {
        var a = EmailAddress.Parse(text);
        Assert.Equal(local, a.LocalPart);
        Assert.Equal(domain, a.Domain);
        Assert.Equal(local + "@" + domain, a.ToString());
    }

    [Theory]
    [InlineData("a@b.com <c@d.com>", "angle brackets")]
    [InlineData("<c@d.com>", "angle brackets")]
    [InlineData("Name <c@d.com>", "angle brackets")]
    [InlineData("a@b.com, c@d.com", "comma")]
    [InlineData("a@b@c.com", "more than one '@'")]
    [InlineData("a@b.com\r\nBcc: x@y.com", "line break")]
    [InlineData("a\u0001b@c.com", "control character")]
    [InlineData("plainaddress", "no '@'")]
    [InlineData("@example.com", "local part is empty")]
    [InlineData("user@", "domain is empty")]
    [InlineData(".user@example.com", "starts with a dot")]
    [InlineData("user.@example.com", "ends with a dot")]
    [InlineData("us..er@example.com", "consecutive dots")]
    [InlineData("us er@example.com", "white space")]
    [InlineData("user@exa mple.com", "white space")]
    [InlineData("user@-example.com", "hyphen")]
    [InlineData("user@example..com", "consecutive dots")]
    [InlineData("\"unclosed@example.com", "closing quote")]
    [InlineData("a(comment)@example.com", "parentheses")]
    [InlineData(" user@example.com", "leading or trailing white space")]
    [InlineData("", "empty")]
    public void Invalid_addresses_are_rejected_with_a_reason_naming_the_problem(string text, string reason)
    {
        var e = Assert.Throws<AddressFormatException>(() => EmailAddress.Parse(text));
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
        Assert.False(EmailAddress.TryParse(text, out var a, out var error));
        Assert.Null(a);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Length_limits_of_RFC_5321_are_enforced()
    {
        var local64 = new string('a', 64);
        Assert.Equal(local64, EmailAddress.Parse(local64 + "@example.com").LocalPart);
        Assert.Contains("65 octets", Assert.Throws<AddressFormatException>(() => EmailAddress.Parse(new string('a', 65) + "@example.com")).Message, StringComparison.Ordinal);
        var label = new string('b', 63);
        var domain = string.Join('.', label, label, label, "cc"); // 63*3+3+2 = 194
        var whole = new string('a', 64) + "@" + domain; // 259 > 254
        Assert.Contains("at most 254", Assert.Throws<AddressFormatException>(() => EmailAddress.Parse(whole)).Message, StringComparison.Ordinal);
        Assert.Contains("longer than 63", Assert.Throws<AddressFormatException>(() => EmailAddress.Parse("a@" + new string('c', 64) + ".com")).Message, StringComparison.Ordinal);
        Assert.Throws<AddressFormatException>(() => EmailAddress.Parse(new string('ü', 33) + "@example.com")); // 66 octets in UTF-8
    }

    [Fact]
    public void Non_ascii_local_part_requires_smtputf8()
    {
        Assert.True(EmailAddress.Parse("jörg@example.de").RequiresSmtpUtf8);
        Assert.False(EmailAddress.Parse("jorg@bücher.de").RequiresSmtpUtf8);
    }

    [Fact]
    public void Equality_ignores_domain_case_but_not_local_part_case()
    {
        Assert.Equal(EmailAddress.Parse("a@EXAMPLE.com"), EmailAddress.Parse("a@example.COM"));
        Assert.NotEqual(EmailAddress.Parse("A@example.com"), EmailAddress.Parse("a@example.com"));
        Assert.True(EmailAddress.Parse("a@x.org") == EmailAddress.Parse("a@X.org"));
    }

    [Fact]
    public void Null_is_reported_as_an_error_not_an_exception_by_TryParse()
    {
        Assert.False(EmailAddress.TryParse(null, out _, out var error));
        Assert.Equal("the address is null", error);
        Assert.Throws<AddressFormatException>(() => EmailAddress.Parse(null!));
    }
}
