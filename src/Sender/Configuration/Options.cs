using System.ComponentModel.DataAnnotations;

namespace Newsletter.Sender.Configuration;

/// <summary>Subscriber lifecycle.</summary>
public sealed class SubscribersOptions
{
    public const string Section = "Subscribers";

    public TimeSpan ConfirmationTtl { get; set; } = TimeSpan.FromHours(48);

    /// <summary>HMAC keys for unsubscribe tokens; the first signs, all verify (rotation). Each ≥ 32 characters.</summary>
    public List<string> UnsubscribeKeys { get; set; } = [];

    [Range(1, 1000)] public int MaxConfirmationsPerAddressPerDay { get; set; } = 3;
    [Range(1, 100_000)] public int MaxSignupsPerIpPerMinute { get; set; } = 20;
    [Range(1, 100)] public int SoftBounceLimit { get; set; } = 3;
    public TimeSpan PendingRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Version tag of the consent text shown by the signup forms, stored with every consent.</summary>
    [Required] public string ConsentVersion { get; set; } = "2026-11-v1";
}
