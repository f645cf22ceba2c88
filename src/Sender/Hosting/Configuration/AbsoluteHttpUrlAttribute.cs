using System.ComponentModel.DataAnnotations;

namespace Newsletter.Sender.Hosting;

/// <summary>An absolute http or https URL without query or fragment.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class AbsoluteHttpUrlAttribute : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        if (value is not string text || text.Length == 0) return ValidationResult.Success; // [Required] says it
        return Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
               && string.IsNullOrEmpty(uri.Query) && string.IsNullOrEmpty(uri.Fragment)
            ? ValidationResult.Success
            : new ValidationResult($"{validationContext.MemberName} must be an absolute http(s) URL, got '{text}'", [validationContext.MemberName!]);
    }
}
