using System.ComponentModel.DataAnnotations;
using Newsletter.Mail;

namespace Newsletter.Sender.Hosting;

/// <summary>A valid addr-spec, by src/Mail's parser.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class EmailAddressSettingAttribute : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        if (value is not string text || text.Length == 0) return ValidationResult.Success;
        return EmailAddress.TryParse(text, out _, out var error)
            ? ValidationResult.Success
            : new ValidationResult($"{validationContext.MemberName} is not a valid address: {error}", [validationContext.MemberName!]);
    }
}
