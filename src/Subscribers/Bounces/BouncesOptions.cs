using System.ComponentModel.DataAnnotations;
using Newsletter.Mail;

namespace Newsletter.Subscribers;

/// <summary>
/// The "Bounces" section (<c>Bounces__*</c>): the VERP return address and the bounce mailbox; both optional. Bound by
/// <see cref="SubscribersServiceCollectionExtensions.AddSubscribers"/>.
/// </summary>
public sealed class BouncesOptions : IValidatableObject
{
    public const string Section = "Bounces";

    /// <summary>
    /// The return address whose plus-addressed variants (<c>local+token@domain</c>) carry a signed reference to each
    /// delivery (VERP); null: MAIL FROM is <c>Newsletter__FromAddress</c> and reports are matched by Message-ID.
    /// </summary>
    public string? Address { get; set; }

    /// <summary>Signing keys of the return-path tokens; empty: derived from <c>Subscribers__UnsubscribeKeys</c>.</summary>
    public List<string> Keys { get; set; } = [];

    /// <summary>The bounce mailbox read over IMAP; off while <see cref="BounceMailboxOptions.Host"/> is empty.</summary>
    public BounceMailboxOptions Imap { get; set; } = new();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Address is not null)
        {
            if (!EmailAddress.TryParse(Address, out var parsed, out _) || parsed is null)
                yield return new ValidationResult("Bounces__Address must be an email address such as bounces@news.example.com", [nameof(Address)]);
            else if (parsed.LocalPart.Contains('+') || parsed.LocalPart.StartsWith('"'))
                yield return new ValidationResult("Bounces__Address must have a plain local part (no '+': the token goes after one)", [nameof(Address)]);
        }
        foreach (var k in Keys.Where(k => k.Length < 32))
            yield return new ValidationResult($"Bounces__Keys: every key needs at least 32 characters (one has {k.Length})", [nameof(Keys)]);
        foreach (var r in Imap.Check()) yield return r;
    }
}
