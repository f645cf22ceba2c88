using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Newsletter.Subscribers;

/// <summary>
/// The data annotations and <see cref="SubscribersOptions.Validate"/> as one failure per setting, each message naming
/// its environment variable (the stock annotation validator wraps them in a sentence about the class).
/// </summary>
public sealed class SubscribersOptionsValidator : IValidateOptions<SubscribersOptions>
{
    public ValidateOptionsResult Validate(string? name, SubscribersOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        // Validator skips IValidatableObject when an attribute failed; run it anyway so every bad setting is listed.
        if (results.Count > 0) results.AddRange(options.Validate(new ValidationContext(options)));
        return results.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(results.Select(r => r.ErrorMessage ?? "Subscribers: invalid setting").Distinct());
    }
}
