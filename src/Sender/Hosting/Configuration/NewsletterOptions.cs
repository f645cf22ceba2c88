using System.ComponentModel.DataAnnotations;

namespace Newsletter.Sender.Hosting;

/// <summary>What the newsletter says about itself.</summary>
public sealed class NewsletterOptions
{
    public const string Section = "Newsletter";

    /// <summary>Envelope sender and From: address.</summary>
    [Required, EmailAddressSetting] public string FromAddress { get; set; } = "";

    public string? FromName { get; set; }

    /// <summary>Postal address printed in every footer (CAN-SPAM).</summary>
    [Required, StringLength(500, MinimumLength = 5)] public string PostalAddress { get; set; } = "";

    /// <summary>The List-Id header's identifier; defaults to "weekly.{domain of FromAddress}".</summary>
    public string? ListId { get; set; }
}
