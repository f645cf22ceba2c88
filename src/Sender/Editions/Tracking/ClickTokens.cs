using System.Text;
using Microsoft.Extensions.Options;
using Newsletter.Subscribers;

namespace Newsletter.Sender.Editions;

/// <summary>
/// The reader's token in an Individual-mode link: the unsubscribe token's format (subscriber, edition, truncated
/// HMAC-SHA256, every key verifies) under keys derived from the unsubscribe keys, so a click link can never be used
/// to unsubscribe and an unsubscribe link never counts a click.
/// </summary>
public sealed class ClickTokens(IOptions<SubscribersOptions> options)
{
    // Built on first use: with no keys configured the start-up check reports the setting instead.
    private readonly Lazy<UnsubscribeTokens> tokens = new(() => new UnsubscribeTokens(options.Value.UnsubscribeKeys.Select(Derive).ToList()));

    public string Create(long subscriberId, long editionId) => tokens.Value.Create(subscriberId, editionId);

    public bool TryVerify(string? token, out long subscriberId, out long editionId) => tokens.Value.TryVerify(token, out subscriberId, out editionId);

    private static string Derive(string key)
        => Convert.ToBase64String(System.Security.Cryptography.HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), "newsletter click token v1"u8));
}
