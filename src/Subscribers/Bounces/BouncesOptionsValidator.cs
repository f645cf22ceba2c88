using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Newsletter.Subscribers;

/// <summary><see cref="BouncesOptions.Validate"/> as one failure per setting, each naming its environment variable.</summary>
public sealed class BouncesOptionsValidator : IValidateOptions<BouncesOptions>
{
    public ValidateOptionsResult Validate(string? name, BouncesOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var results = options.Validate(new ValidationContext(options)).ToList();
        return results.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(results.Select(r => r.ErrorMessage ?? "Bounces: invalid setting").Distinct());
    }
}
