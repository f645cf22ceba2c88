using System.ComponentModel.DataAnnotations;

namespace Newsletter.Subscribers;

/// <summary>
/// The "Subscribers" configuration section (environment variables <c>Subscribers__Name</c>): every setting of the
/// subscriber lifecycle, with its default. Bound once by <see cref="SubscribersServiceCollectionExtensions.AddSubscribers"/>.
/// </summary>
public sealed class SubscribersOptions : IValidatableObject
{
    public const string Section = "Subscribers";
    public const int MinSuppressionKeyLength = 32;

    /// <summary>How long a confirmation link stays valid.</summary>
    public TimeSpan ConfirmationTtl { get; set; } = TimeSpan.FromHours(48);

    /// <summary>HMAC keys for unsubscribe tokens; the first signs, all verify (rotation). Each ≥ 32 characters.</summary>
    public List<string> UnsubscribeKeys { get; set; } = [];

    /// <summary>HMAC key of the suppression list's hashes of erased addresses (≥ 32 characters); never change it.</summary>
    public string SuppressionKey { get; set; } = "";

    [Range(1, 1000, ErrorMessage = "Subscribers__MaxConfirmationsPerAddressPerDay must be between {1} and {2}")]
    public int MaxConfirmationsPerAddressPerDay { get; set; } = 3;

    [Range(1, 100_000, ErrorMessage = "Subscribers__MaxSignupsPerIpPerMinute must be between {1} and {2}")]
    public int MaxSignupsPerIpPerMinute { get; set; } = 20;

    /// <summary>Unsubscribe POSTs per client IP per minute; generous, since mail providers send one-click POSTs from few addresses.</summary>
    [Range(1, 1_000_000, ErrorMessage = "Subscribers__MaxUnsubscribesPerIpPerMinute must be between {1} and {2}")]
    public int MaxUnsubscribesPerIpPerMinute { get; set; } = 120;

    /// <summary>Consecutive soft-bounced editions after which a confirmed address becomes bounced.</summary>
    [Range(1, 100, ErrorMessage = "Subscribers__SoftBounceLimit must be between {1} and {2}")]
    public int SoftBounceLimit { get; set; } = 3;

    /// <summary>Signups never confirmed are deleted this long after their last signup.</summary>
    public TimeSpan PendingRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>IP addresses and user agents of consent records are cleared this long after the signup; the rest of the record stays.</summary>
    public TimeSpan ConsentIpRetention { get; set; } = TimeSpan.FromDays(730);

    /// <summary>Version tag of the consent text shown by the signup forms, stored with every consent.</summary>
    [Required(ErrorMessage = "Subscribers__ConsentVersion is required")]
    public string ConsentVersion { get; set; } = "2026-11-v1";

    /// <summary>Confirmation mails for imported rows without consent evidence, per minute (clamped to 1–100,000).</summary>
    public int ImportConfirmationsPerMinute { get; set; } = 100;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (UnsubscribeKeys.Count == 0)
            yield return new ValidationResult("Subscribers__UnsubscribeKeys__0 is required (a secret of at least 32 characters)", [nameof(UnsubscribeKeys)]);
        for (var i = 0; i < UnsubscribeKeys.Count; i++)
            if (UnsubscribeKeys[i].Length < 32)
                yield return new ValidationResult($"Subscribers__UnsubscribeKeys__{i} must be at least 32 characters", [nameof(UnsubscribeKeys)]);
        if (string.IsNullOrEmpty(SuppressionKey))
            yield return new ValidationResult($"Subscribers__SuppressionKey is required (a secret of at least {MinSuppressionKeyLength} characters)", [nameof(SuppressionKey)]);
        else if (SuppressionKey.Length < MinSuppressionKeyLength)
            yield return new ValidationResult($"Subscribers__SuppressionKey must be at least {MinSuppressionKeyLength} characters", [nameof(SuppressionKey)]);
        if (ConsentIpRetention <= TimeSpan.Zero)
            yield return new ValidationResult("Subscribers__ConsentIpRetention must be positive", [nameof(ConsentIpRetention)]);
        if (ConfirmationTtl <= TimeSpan.Zero)
            yield return new ValidationResult("Subscribers__ConfirmationTtl must be positive", [nameof(ConfirmationTtl)]);
    }
}
