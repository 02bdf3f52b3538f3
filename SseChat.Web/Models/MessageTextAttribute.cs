using System.ComponentModel.DataAnnotations;
using SseChat.Web.Chat;

namespace SseChat.Web.Models;

/// <summary>
/// Text must have something besides whitespace and be at most 4000 characters, counted both after trimming (the
/// contract) and as sent (what is stored, since text is kept verbatim).
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class MessageTextAttribute : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        if (value is not string text)
        {
            return ValidationResult.Success; // [Required] speaks for missing text
        }
        if (string.IsNullOrWhiteSpace(text))
        {
            return new ValidationResult("Write a message.");
        }
        return text.Length > MessageLimits.TextMaxLength
            ? new ValidationResult($"A message can be at most {MessageLimits.TextMaxLength} characters.")
            : ValidationResult.Success;
    }
}
