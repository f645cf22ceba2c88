namespace Newsletter.Subscribers.Tests.Bounces;

/// <summary>VERP return paths: signed, compact, verified in constant time, rotation-friendly.</summary>
public sealed class VerpAddressesTests
{
    private const string Key = "verp-test-key-0123456789-abcdefghijklmnopqrstuvwxyz";
    private readonly VerpAddresses verp = new("bounces@news.example.com", [Key]);

    [Fact]
    public void An_edition_return_path_names_its_edition_and_subscriber_and_verifies()
    {
        var address = verp.ForEdition(42, 123456789);

        Assert.StartsWith("bounces+e", address);
        Assert.EndsWith("@news.example.com", address);
        Assert.True(address.Length <= 64, address);
        Assert.Equal(VerpResult.Valid, verp.TryRead(address, out var token));
        Assert.Equal(new VerpToken(123456789, 42), token);
        // Some servers fold the local part's case.
        Assert.Equal(VerpResult.Valid, verp.TryRead(address.ToUpperInvariant(), out _));
    }

    [Fact]
    public void A_transactional_return_path_is_a_kind_of_its_own()
    {
        var address = verp.ForTransactional(7);

        Assert.StartsWith("bounces+t", address);
        Assert.Equal(VerpResult.Valid, verp.TryRead(address, out var token));
        Assert.Equal(new VerpToken(7, null), token);
    }

    [Fact]
    public void An_altered_or_invented_token_is_forged_and_other_addresses_are_not_ours()
    {
        var address = verp.ForEdition(42, 1000);
        var otherSubscriber = address.Replace("-rs-", "-rt-", StringComparison.Ordinal); // 1000 is "rs" in base 36
        Assert.NotEqual(address, otherSubscriber);

        Assert.Equal(VerpResult.Forged, verp.TryRead(otherSubscriber, out var token));
        Assert.Null(token);
        Assert.Equal(VerpResult.Forged, verp.TryRead("bounces+e1-1-aaaaaaaaaaaaaaaa@news.example.com", out _));
        Assert.Equal(VerpResult.Forged, verp.TryRead(new VerpAddresses("bounces@news.example.com", ["another-key-0123456789-abcdefghijklmnopqrstuvwxyz"]).ForEdition(42, 1000), out _));
        Assert.Equal(VerpResult.None, verp.TryRead("bounces@news.example.com", out _));
        Assert.Equal(VerpResult.None, verp.TryRead("reader+tag@example.org", out _));
    }

    [Fact]
    public void After_a_key_rotation_old_return_paths_still_verify()
    {
        var old = verp.ForEdition(3, 4);
        var rotated = new VerpAddresses("bounces@news.example.com", ["new-key-0123456789-abcdefghijklmnopqrstuvwxyz", Key]);

        Assert.Equal(VerpResult.Valid, rotated.TryRead(old, out var token));
        Assert.Equal(new VerpToken(4, 3), token);
    }

    [Fact]
    public void Bad_bounce_settings_are_one_line_each_naming_the_setting()
    {
        var result = new BouncesOptionsValidator().Validate(null, new BouncesOptions
        {
            Address = "bounces+x@news.example.com",
            Imap = new BounceMailboxOptions { Host = "imap.example.com", Security = "Tls", PollInterval = TimeSpan.Zero },
        });

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith("Bounces__Address", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("Bounces__Imap__Security", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("Bounces__Imap__Username", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("Bounces__Imap__PollInterval", StringComparison.Ordinal));
        Assert.True(new BouncesOptionsValidator().Validate(null, new BouncesOptions()).Succeeded);
    }
}
